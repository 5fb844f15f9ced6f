# Django's Arabic date-time form puts the month first and uses a 12-hour clock; UN documents in
# Arabic write the day first and the 24-hour time.
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y، H:i"
SHORT_DATE_FORMAT = "j/n/Y"
SHORT_DATETIME_FORMAT = "j/n/Y، H:i"
