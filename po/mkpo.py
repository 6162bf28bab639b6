#!/usr/bin/env python3
# Maintainer's helper (not part of the build): merge the German strings below into po/de.po
# from a template made by `make pot`.  Kept so the catalogue can be regenerated consistently;
# translators can as well edit po/de.po directly (msgmerge keeps their work).
import re, sys

DE = {
 ("", "DO NOT DRIVE — do not move the car or hand it back before the remedy"):
   "NICHT FAHREN — Fahrzeug nicht bewegen und nicht vor der Abhilfe herausgeben",
 ("", "PARK OUTSIDE — fire risk: not in the workshop, a garage or near buildings"):
   "IM FREIEN ABSTELLEN — Brandgefahr: nicht in der Werkstatt, in Garagen oder an Gebäuden",
 ("", "%u open · %u to inspect · %u unclear · %u remedied · %u not affected"):
   "%u offen · %u zu prüfen · %u unklar · %u erledigt · %u nicht betroffen",
 ("", "Database"): "Datenbank",
 ("", " · %llu campaign"): [" · %llu Aktion", " · %llu Aktionen"],
 ("", " · %llu listed VIN"): [" · %llu gelistete FIN", " · %llu gelistete FIN"],
 ("", " · written by %s"): " · erstellt mit %s",
 ("", "checksum %.16s"): "Prüfsumme %.16s",
 ("", " · signed with key %s"): " · signiert mit Schlüssel %s",
 ("", "trusted"): "vertrauenswürdig",
 ("", "NOT a trusted key"): "Schlüssel NICHT vertrauenswürdig",
 ("", "unsigned"): "nicht signiert",
 ("", "History"): "Verlauf",
 ("", "this check is MISSING from the history (%s)"): "diese Prüfung FEHLT im Verlauf (%s)",
 ("", "Last checked"): "Zuletzt geprüft",
 ("", "on %s"): "am %s",
 ("", " at %s (%s)"): " an %s (%s)",
 ("", " at %s"): " an %s",
 ("", ", order %s"): ", Auftrag %s",
 ("", "Reason (as written by the database):"): "Begründung (Originaltext der Datenbank):",
 ("", "Reason:"): "Begründung:",
 ("", "call the hotline"): "Hotline anrufen:",
 ("", "make %s"): "Hersteller %s",
 ("", "KBA reference %s"): "KBA-Referenz %s",
 ("", "NHTSA campaign %s"): "NHTSA-Kampagne %s",
 ("", "campaign started %s"): "Aktionsbeginn %s",
 ("", "do not drive"): "nicht fahren",
 ("", "park outside (fire risk)"): "im Freien abstellen (Brandgefahr)",
 ("", "Evidence (as written by the database):"): "Nachweis (Originaltext der Datenbank):",
 ("", "Defect:"): "Mangel:",
 ("", "Remedy"): "Abhilfe",
 ("", "Labour: %s"): "Arbeitszeit: %s",
 ("", "Cost: %s"): "Kosten: %s",
 ("", "Recognised by:"): "Erkennung:",
 ("", "Hotline:"): "Hotline:",
 ("", "extends campaign %s"): "erweitert Aktion %s",
 ("", "supersedes campaign %s"): "ersetzt Aktion %s",
 ("", "ECUs"): "Steuergeräte",
 ("", "Recall check · %s (%s)"): "Rückrufprüfung · %s (%s)",
 ("", "Recall check · %s"): "Rückrufprüfung · %s",
 ("", "Recall check"): "Rückrufprüfung",
 ("", "Vehicle"): "Fahrzeug",
 ("", "Order"): "Auftrag",
 ("", "plate %s"): "Kennzeichen %s",
 ("", "Checked"): "Geprüft",
 ("", "Data"): "Daten",
 ("", "typed in, not read from the car"): "eingegeben, nicht vom Fahrzeug gelesen",
 ("", "Why"): "Grund",
 ("", "Result"): "Ergebnis",
 ("", "Addressing"): "Adressierung",
 ("", "Recall campaigns"): "Rückrufaktionen",
 ("", "Not read"): "Nicht gelesen",
 ("verdict tag", "OPEN"): "OFFEN",
 ("verdict tag", "INSPECT"): "PRÜFEN",
 ("verdict tag", "REMEDIED"): "ERLEDIGT",
 ("verdict tag", "NOT AFFECTED"): "NICHT BETROFFEN",
 ("verdict tag", "UNCLEAR"): "UNKLAR",
 ("verdict", "open"): "offen",
 ("verdict", "to inspect"): "zu prüfen",
 ("verdict", "remedied"): "erledigt",
 ("verdict", "not affected"): "nicht betroffen",
 ("verdict", "unclear"): "unklar",
 ("status", "complete"): "vollständig",
 ("status", "INTERRUPTED"): "ABGEBROCHEN",
 ("status", "FAILED"): "FEHLGESCHLAGEN",
 ("remedy kind", "in the workshop"): "in der Werkstatt",
 ("remedy kind", "over-the-air update"): "Online-Update",
 ("remedy kind", "inspection"): "Prüfung",
 ("", "manufacturer's diagnostic system"): "Fahrzeugdiagnosesystem des Herstellers",
 ("", "the vehicle's diagnostic system"): "Diagnosesystem des Fahrzeugs",
 ("", "manufacturer's hotline"): "Hotline des Herstellers",
 ("", "manufacturer's workshop system"): "Werkstattsystem des Herstellers",
 ("DID", "VIN (OBD)"): "FIN (OBD)",
 ("DID", "calibration ID (CALID)"): "Kalibrierungs-ID (CALID)",
 ("DID", "calibration verification number (CVN)"): "Kalibrierungsprüfnummer (CVN)",
 ("DID", "ECU name"): "Steuergerätename",
 ("DID", "boot software"): "Boot-Software",
 ("DID", "application software"): "Anwendungssoftware",
 ("DID", "application data"): "Anwendungsdaten",
 ("DID", "spare part number"): "Ersatzteilnummer",
 ("DID", "software number"): "Softwarenummer",
 ("DID", "software version"): "Softwareversion",
 ("DID", "supplier"): "Zulieferer",
 ("DID", "manufacturing date"): "Herstelldatum",
 ("DID", "serial number"): "Seriennummer",
 ("DID", "kit assembly part number"): "Baugruppen-Teilenummer",
 ("DID", "VIN"): "FIN",
 ("DID", "hardware number"): "Hardwarenummer",
 ("DID", "supplier hardware number"): "Zulieferer-Hardwarenummer",
 ("DID", "supplier hardware version"): "Zulieferer-Hardwareversion",
 ("DID", "supplier software number"): "Zulieferer-Softwarenummer",
 ("DID", "supplier software version"): "Zulieferer-Softwareversion",
 ("DID", "type approval number"): "Typgenehmigungsnummer",
 ("DID", "system name / engine type"): "Systemname / Motortyp",
 ("DID", "repair shop code"): "Werkstattcode",
 ("DID", "programming date"): "Programmierdatum",
 ("DID", "installation date"): "Einbaudatum",
 ("", "%Y-%m-%d %H:%M"): "%d.%m.%Y, %H:%M Uhr",
 ("", "%Y-%m-%d"): "%d.%m.%Y",
 ("", "%lld.%lld s"): "%lld,%lld s",
 ("", "check failed — connect the car again and repeat the check"):
   "Prüfung fehlgeschlagen — Fahrzeug erneut anschließen und erneut prüfen",
 ("", "%u open action"): ["%u offene Aktion", "%u offene Aktionen"],
 ("", "%u to inspect"): ["%u zu prüfen", "%u zu prüfen"],
 ("", "workshop appointment needed"): "Werkstatttermin nötig",
 ("", "over-the-air update outstanding"): "Online-Update ausstehend",
 ("", "; %u unclear"): ["; %u unklar", "; %u unklar"],
 ("", "check incomplete"): "Prüfung unvollständig",
 ("", "%u unclear — clarify (see reason; hotline if named)"):
   ["%u unklar — klären (siehe Begründung; ggf. Hotline)",
    "%u unklar — klären (siehe Begründungen; ggf. Hotline)"],
 ("", "check incomplete — repeat the check"): "Prüfung unvollständig — erneut prüfen",
 ("", "nothing to do"): "nichts zu tun",
 ("", "applies"): "trifft zu",
 ("", "does not apply"): "trifft nicht zu",
 ("", "unknown"): "unbekannt",
 ("", "ECU %s"): "Steuergerät %s",
 ("", "not:"): "nicht:",
 ("", "VIN on the campaign's exclusion list"): "FIN auf der Ausschlussliste der Aktion",
 ("", "VIN on the manufacturer's list"): "FIN auf der Liste des Herstellers",
 ("", "VIN not on the manufacturer's list"): "FIN nicht auf der Liste des Herstellers",
 ("", "the campaign selects by VIN list, which needs the VIN"):
   "die Aktion wählt nach FIN-Liste aus, dafür fehlt die FIN",
 ("", "VIN not read"): "FIN nicht gelesen",
 ("", "VIN \"%s\" is invalid"): "FIN „%s“ ist ungültig",
 ("", "not 17 characters"): "nicht 17 Zeichen",
 ("", "a character that is not allowed"): "ein unzulässiges Zeichen",
 ("", "check digit wrong"): "Prüfziffer falsch",
 ("", "always applies"): "trifft immer zu",
 ("", "never applies"): "trifft nie zu",
 ("", "not recognisable from vehicle data"): "aus Fahrzeugdaten nicht erkennbar",
 ("", "manufacturer code (WMI) %s"): "Herstellerkennung (WMI) %s",
 ("", "VIN positions %s-%s \"%s\", wanted \"%s\""):
   "FIN-Stellen %s-%s „%s“, verlangt „%s“",
 ("", "VIN position %s \"%s\", wanted \"%s\""): "FIN-Stelle %s „%s“, verlangt „%s“",
 ("", "serial number %s, range %s to %s"): "Seriennummer %s, Bereich %s bis %s",
 ("", "serial number %s is not numeric"): "Seriennummer %s ist nicht numerisch",
 ("", "model year %.*s or %s (30-year cycle), range %s to %s"):
   "Modelljahr %.*s oder %s (30-Jahres-Zyklus), Bereich %s bis %s",
 ("", "model year %s, range %s to %s"): "Modelljahr %s, Bereich %s bis %s",
 ("", "model year not in the VIN (position 10 is '%s')"):
   "Modelljahr nicht in der FIN (Stelle 10 ist „%s“)",
 ("", "build date %s"): "Baudatum %s",
 ("", ", range %s to %s"): ", Bereich %s bis %s",
 ("", ", until %s"): ", bis %s",
 ("", ", from %s"): ", ab %s",
 ("", "the campaign names no source of the build date"):
   "die Aktion nennt keine Quelle für das Baudatum",
 ("", "build date unreadable"): "Baudatum nicht lesbar",
 ("", " \"%s\" is no date"): " „%s“ ist kein Datum",
 ("", "present"): "vorhanden",
 ("", "not in the vehicle"): "nicht im Fahrzeug",
 ("", "which ECUs the car has was not read (is %s present?)"):
   "welche Steuergeräte das Fahrzeug hat, wurde nicht gelesen (ist %s vorhanden?)",
 ("", ": read \"%s\", wanted %s \"%s\""): ": gelesen „%s“, verlangt %s „%s“",
 ("", ": read \"%s\", listed: %s"): ": gelesen „%s“, gelistet: %s",
 ("", "the ECU does not have this value"): "das Steuergerät hat diesen Wert nicht",
 ("", "could not be read"): "konnte nicht gelesen werden",
 ("", "not read"): "nicht gelesen",
 ("", "Affected, the remedy is not applied."): "Betroffen, Abhilfe nicht durchgeführt.",
 ("", "Affected, the remedy is applied."): "Betroffen, Abhilfe durchgeführt.",
 ("", "Not affected."): "Nicht betroffen.",
 ("", "Not affected: the VIN is on the campaign's exclusion list."):
   "Nicht betroffen: die FIN steht auf der Ausschlussliste der Aktion.",
 ("", "Whether the car is affected cannot be decided."):
   "Ob das Fahrzeug betroffen ist, lässt sich nicht entscheiden.",
 ("", "Affected; whether the remedy is applied is unknown."):
   "Betroffen; ob die Abhilfe durchgeführt ist, ist unbekannt.",
 ("", "Possibly affected; an inspection of the car decides."):
   "Möglicherweise betroffen; eine Prüfung am Fahrzeug entscheidet.",
 ("", "Affected; whether it must be inspected is unknown."):
   "Betroffen; ob geprüft werden muss, ist unbekannt.",
 ("rule part", "VIN list"): "FIN-Liste",
 ("rule part", "selection"): "Auswahl",
 ("rule part", "remedy"): "Abhilfe",
 ("rule part", "inspection"): "Prüfung",
 ("read step", "looking for ECUs"): "Steuergerätesuche",
 ("read step", "OBD service 09"): "OBD-Dienst 09",
 ("read step", "reading"): "lesen",
 ("read step", "reading the VIN"): "FIN lesen",
 ("read step", "time limit of the check"): "Zeitlimit der Prüfung",
 ("read step", "ECU given up"): "Steuergerät aufgegeben",
 ("read step", "VIN over OBD service 09"): "FIN über OBD-Dienst 09",
 ("read step", "opening the connection"): "Verbindungsaufbau",
 ("read step", "asked directly"): "direkte Anfrage",
 ("read step", "read plan"): "Leseplan",
 ("", "no answer, its values are not read"): "keine Antwort, seine Werte sind nicht gelesen",
 ("", "no answer within %s ms"): "keine Antwort innerhalb von %s ms",
 ("", "no answer"): "keine Antwort",
 ("", "negative response %s (%s)"): "negative Antwort %s (%s)",
 ("", "malformed answer"): "fehlerhafte Antwort",
 ("", "bus error: %s"): "Busfehler: %s",
 ("", "time limit reached, the rest was not read"): "Zeitlimit erreicht, der Rest wurde nicht gelesen",
 ("", "more than the report holds, the rest was not read"):
   "mehr als der Bericht fasst, der Rest wurde nicht gelesen",
 ("", "VIN \"%s\" as read is not 17 valid characters"):
   "gelesene FIN „%s“ besteht nicht aus 17 gültigen Zeichen",
 ("", "no VIN read: the ECUs that answered gave none"):
   "keine FIN gelesen: die antwortenden Steuergeräte lieferten keine",
 ("", "no VIN read: no ECU answered on any addressing scheme"):
   "keine FIN gelesen: kein Steuergerät antwortete, auf keiner Adressierung",
 ("", "ECUs report different VINs: %s"): "Steuergeräte melden verschiedene FIN: %s",
 ("", "%s: no such interface"): "%s: Schnittstelle nicht vorhanden",
 ("", "%s: not a CAN interface"): "%s: keine CAN-Schnittstelle",
 ("", "%s: interface is down"): "%s: Schnittstelle ist nicht aktiv",
 ("", "%s: interface removed during the check"): "%s: Schnittstelle während der Prüfung entfernt",
 ("", "%s: link went down during the check"): "%s: Verbindung während der Prüfung unterbrochen",
 ("", "the check did not finish within %s ms"): "die Prüfung wurde nicht innerhalb von %s ms fertig",
 ("", "the check process died (signal %s)"): "der Prüfprozess ist abgestürzt (Signal %s)",
 ("", "the check process ended with status %s without a report"):
   "der Prüfprozess endete mit Status %s ohne Bericht",
 ("", "the check process could not be started: %s"):
   "der Prüfprozess konnte nicht gestartet werden: %s",
 ("", "the check process sent a broken reply: %s"):
   "der Prüfprozess lieferte eine fehlerhafte Antwort: %s",
 ("", "%s: %s while reading the car"): "%s: %s beim Lesen des Fahrzeugs",
 ("", "VIN %s"): "FIN %s",
 ("", " · model year %d"): " · Modelljahr %d",
 ("", " · model year %d or %d"): " · Modelljahr %d oder %d",
 ("", " · built %s"): " · gebaut %s",
 ("", "Date, technician"): "Datum, Mechaniker/in",
 ("", "Signature"): "Unterschrift",
 ("", "not listed"): "nicht aufgeführt",
 ("", "Not affected"): "Nicht betroffen",
 ("", "the ECU is not in the vehicle"): "das Steuergerät ist nicht im Fahrzeug",
 ("", "the VIN may be on the campaign's exclusion list, which needs the VIN"):
   "die FIN kann auf der Ausschlussliste der Aktion stehen, dafür fehlt die FIN",
 ("", "the recall database is unusable: %s"): "die Rückrufdatenbank ist nicht verwendbar: %s",
 ("", "%zu more campaign, not listed"): ["%zu weitere Aktion, nicht aufgeführt", "%zu weitere Aktionen, nicht aufgeführt"],
 ("", "evidence:"): "Nachweis:",
 ("", "History of VIN %s"): "Verlauf der FIN %s",
 ("", " (%lld check recorded)"): [" (%lld Prüfung erfasst)", " (%lld Prüfungen erfasst)"],
 ("", "This car has not been checked here."): "Dieses Fahrzeug wurde hier noch nicht geprüft.",
 ("", "order %s"): "Auftrag %s",
 ("", "first check of this car"): "erste Prüfung dieses Fahrzeugs",
 ("", "no change since the check before"): "keine Änderung seit der vorigen Prüfung",
 ("", "changed since the check before:"): "geändert seit der vorigen Prüfung:",
 ("", "time not recorded"): "Zeitpunkt nicht erfasst",
 # the bus as the cause (plugin/report-bus.c, issue 12)
 ("", "CAN bus"): "CAN-Bus",
 ("", "CAN bus: %s"): "CAN-Bus: %s",
 ("", "no ECU acknowledged (ACK missing): is a car connected, ignition on?"):
   "kein Steuergerät bestätigt (ACK fehlt) — Fahrzeug angeschlossen, Zündung an?",
 ("", "frames acknowledged by the bus but no ECU answered: a car is connected; ignition on, diagnosis blocked by the car?"):
   "Steuergeräte am Bus bestätigen die Anfragen, aber keines antwortet — Fahrzeug angeschlossen; Zündung an, Diagnose vom Fahrzeug gesperrt?",
 ("", "bus-off: the CAN controller switched itself off after too many errors (wrong bit rate, short circuit, wiring?)"):
   "Bus-off: der CAN-Controller hat sich nach zu vielen Fehlern abgeschaltet — falsche Bitrate, Kurzschluss oder Verkabelung?",
 ("", "wrong bit rate suspected: traffic on the bus but no frame readable (check the bay's bit rate: 500 or 250 kbit/s)"):
   "falsche Bitrate vermutet: Verkehr auf dem Bus, aber kein Rahmen lesbar — Bitrate des Platzes prüfen (500 oder 250 kbit/s)",
 ("", "errors on the bus (controller error-passive): check wiring and termination"):
   "Fehler auf dem Bus (Controller fehlerpassiv) — Verkabelung und Abschlusswiderstand prüfen",
 ("", "CAN adapter removed during the check"): "CAN-Adapter während der Prüfung entfernt — Adapter wieder anstecken",
 ("", "CAN adapter overloaded or faulty (overflow, transmit timeout)"):
   "CAN-Adapter überlastet oder gestört (Überlauf, Sendezeitüberschreitung)",
}

def unq(parts):
    return ''.join(eval(p) for p in parts)

def parse(text):
    out = []
    for block in text.split('\n\n'):
        cur = {}
        key = None
        for line in block.split('\n'):
            if line.startswith('#'):
                cur.setdefault('comments', []).append(line)
                continue
            m = re.match(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d\])?) (".*")$', line)
            if m:
                key = m.group(1)
                cur[key] = [m.group(2)]
            elif line.startswith('"') and key:
                cur[key].append(line)
        if 'msgid' in cur:
            out.append(cur)
    return out

def q(s):
    return '"' + s.replace('\\', '\\\\').replace('"', '\\"').replace('\n', '\\n') + '"'

pot = parse(open(sys.argv[1]).read())
missing = []
res = ['''# German messages of recalld's technician reports.
# This file is distributed under the same license as recalld (LGPL-2.1-or-later).
msgid ""
msgstr ""
"Project-Id-Version: recalld\\n"
"PO-Revision-Date: 2026-12-01 21:00+0100\\n"
"Last-Translator: recalld maintainers\\n"
"Language-Team: German\\n"
"Language: de\\n"
"MIME-Version: 1.0\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Content-Transfer-Encoding: 8bit\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"
''']
for e in pot:
    mid = unq(e['msgid'])
    if mid == '':
        continue
    ctx = unq(e['msgctxt']) if 'msgctxt' in e else ''
    t = DE.get((ctx, mid))
    if t is None:
        missing.append((ctx, mid))
        continue
    lines = [c for c in e.get('comments', []) if not c.startswith('#:')]
    if 'msgctxt' in e:
        lines.append('msgctxt ' + q(ctx))
    lines.append('msgid ' + q(mid))
    if 'msgid_plural' in e:
        lines.append('msgid_plural ' + q(unq(e['msgid_plural'])))
        assert isinstance(t, list), mid
        for i, f in enumerate(t):
            lines.append('msgstr[%d] %s' % (i, q(f)))
    else:
        assert isinstance(t, str), mid
        lines.append('msgstr ' + q(t))
    res.append('\n'.join(lines) + '\n')
open(sys.argv[2], 'w').write('\n'.join(res))
if missing:
    for m in missing:
        print('missing:', m, file=sys.stderr)
    sys.exit(1)
