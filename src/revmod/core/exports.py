"""Spreadsheet exports: a table of (headers, rows) as a CSV or an Excel (XLSX) download.

The one place that writes spreadsheets, so that every export opens correctly in Excel in all six
languages (CSV with a byte order mark, XLSX sheets right to left in Arabic) and none can carry a
formula into the reader's spreadsheet. Views record the export in the audit trail themselves:
they know what was exported and with which filters.
"""

import csv
import datetime
import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

FORMATS = ("csv", "xlsx")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A spreadsheet reads a cell starting with one of these as a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
COLUMN_WIDTH = (8, 60)

Row = Sequence[Any]


def requested_format(request: HttpRequest) -> str | None:
    """The export format asked for in the address (?format=csv or ?format=xlsx), if any."""
    value = request.GET.get("format", "")
    return value if value in FORMATS else None


def export_response(
    request: HttpRequest, basename: str, headers: Sequence[Any], rows: Iterable[Row]
) -> HttpResponse:
    """The download in the format the address asks for (CSV unless ?format=xlsx)."""
    if requested_format(request) == "xlsx":
        return xlsx_response(basename, headers, rows)
    return csv_response(basename, headers, rows)


def filename(basename: str, extension: str) -> str:
    """A file name safe in any browser and file system: ASCII letters, digits and dashes, with
    the day of the export."""
    stem = slugify(basename) or "export"
    return f"{stem}-{timezone.localdate().isoformat()}.{extension}"


def _guarded(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _text(value: Any) -> str:
    """A cell as CSV text: dates in ISO form, times in the site's time zone."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime.datetime):
        return _local(value).isoformat(sep=" ", timespec="minutes")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, (int, float)):
        return str(value)
    return _guarded(str(value))


def _local(value: datetime.datetime) -> datetime.datetime:
    # Excel has no time zones: a time is written as the site's local time, without a zone.
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.replace(tzinfo=None)


def _cell(value: Any) -> Any:
    """A cell as an XLSX value: numbers and dates keep their type, text is guarded."""
    if isinstance(value, bool) or not isinstance(value, (int, float, datetime.date, type(None))):
        return _text(value)
    if isinstance(value, datetime.datetime):
        return _local(value)
    return value


def csv_response(basename: str, headers: Sequence[Any], rows: Iterable[Row]) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_text(header) for header in headers])
    for row in rows:
        writer.writerow([_text(value) for value in row])
    # The byte order mark makes Excel read the file as UTF-8 (Arabic, Chinese, Cyrillic).
    response = HttpResponse(
        buffer.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = content_disposition_header(True, filename(basename, "csv"))
    return response


def xlsx_response(basename: str, headers: Sequence[Any], rows: Iterable[Row]) -> HttpResponse:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook always has one sheet
    sheet.title = (slugify(basename) or "export")[:31]
    sheet.sheet_view.rightToLeft = translation.get_language_bidi()
    sheet.append([_cell(header) for header in headers])
    for header_cell in sheet[1]:
        header_cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    widths = [len(str(header)) for header in headers]
    for row in rows:
        sheet.append([_cell(value) for value in row])
        for index, data_cell in enumerate(sheet[sheet.max_row]):
            if isinstance(data_cell.value, datetime.datetime):
                data_cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(data_cell.value, datetime.date):
                data_cell.number_format = "yyyy-mm-dd"
            widths[index] = max(widths[index], len(str(data_cell.value or "")))
    low, high = COLUMN_WIDTH
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, low), high)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename(basename, "xlsx"))
    return response
