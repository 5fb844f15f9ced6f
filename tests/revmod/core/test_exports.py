"""Spreadsheet exports: what goes in comes back out, in Excel's dialect of every language."""

import csv
import datetime
import io
import zoneinfo

import openpyxl
import pytest
from django.test import RequestFactory
from django.utils import timezone, translation

from revmod.core import exports

HEADERS = ["State", "Due on", "Recorded at", "Overdue by (days)", "Focal point"]
ROWS = [
    ["Ghana", datetime.date(2024, 5, 1), None, 3, True],
    ["المملكة المغربية", None, None, None, False],
    ["中国", datetime.date(2023, 12, 31), None, 0, True],
]


def read_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def read_xlsx(response):
    return openpyxl.load_workbook(io.BytesIO(response.content)).active


def test_a_csv_export_starts_with_a_byte_order_mark_and_reads_back_row_for_row():
    response = exports.csv_response("reviews", HEADERS, ROWS)

    assert response.content.startswith(b"\xef\xbb\xbf")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert read_csv(response) == [
        HEADERS,
        ["Ghana", "2024-05-01", "", "3", "Yes"],
        ["المملكة المغربية", "", "", "", "No"],
        ["中国", "2023-12-31", "", "0", "Yes"],
    ]


def test_an_xlsx_export_reads_back_with_the_same_rows_dates_as_dates_and_a_bold_header():
    sheet = read_xlsx(exports.xlsx_response("reviews", HEADERS, ROWS))

    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == HEADERS
    assert rows[1] == ["Ghana", datetime.datetime(2024, 5, 1), None, 3, "Yes"]
    assert rows[2] == ["المملكة المغربية", None, None, None, "No"]
    assert rows[3][1] == datetime.datetime(2023, 12, 31)
    assert sheet["B2"].is_date and sheet["B2"].number_format == "yyyy-mm-dd"
    assert all(cell.font.bold for cell in sheet[1])
    assert not sheet["A2"].font.bold
    assert sheet.freeze_panes == "A2"
    assert 8 <= sheet.column_dimensions["A"].width <= 60


def test_times_are_written_in_the_site_time_zone_without_a_zone_excel_cannot_hold(settings):
    settings.TIME_ZONE = "Asia/Tokyo"
    moment = datetime.datetime(2024, 5, 1, 23, 30, tzinfo=datetime.UTC)
    with timezone.override(zoneinfo.ZoneInfo("Asia/Tokyo")):
        sheet = read_xlsx(exports.xlsx_response("audit", ["At"], [[moment]]))
        text = read_csv(exports.csv_response("audit", ["At"], [[moment]]))

    assert sheet["A2"].value == datetime.datetime(2024, 5, 2, 8, 30)
    assert text[1] == ["2024-05-02 08:30"]


def test_an_xlsx_sheet_reads_right_to_left_in_arabic_only():
    with translation.override("ar"):
        arabic = read_xlsx(exports.xlsx_response("reviews", HEADERS, ROWS))
    with translation.override("fr"):
        french = read_xlsx(exports.xlsx_response("reviews", HEADERS, ROWS))

    assert arabic.sheet_view.rightToLeft is True
    assert not french.sheet_view.rightToLeft


@pytest.mark.parametrize("payload", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)"])
def test_a_cell_that_a_spreadsheet_would_run_as_a_formula_gets_a_leading_apostrophe(payload):
    rows = [[payload, -5]]

    text = read_csv(exports.csv_response("reviews", ["Name", "Number"], rows))
    sheet = read_xlsx(exports.xlsx_response("reviews", ["Name", "Number"], rows))

    assert text[1] == ["'" + payload, "-5"]
    assert sheet["A2"].value == "'" + payload
    assert sheet["A2"].data_type == "s"
    # Numbers are numbers: a negative number is no formula.
    assert sheet["B2"].value == -5


def test_the_file_name_is_a_safe_ascii_slug_with_the_day_of_the_export():
    response = exports.csv_response('Révisions / "groupe 1"', ["A"], [])
    today = timezone.localdate().isoformat()

    assert response["Content-Disposition"] == (
        f'attachment; filename="revisions-groupe-1-{today}.csv"'
    )
    assert exports.filename("", "xlsx") == f"export-{today}.xlsx"


def test_export_response_picks_the_format_the_address_asks_for():
    factory = RequestFactory()

    as_xlsx = exports.export_response(factory.get("/?format=xlsx"), "reviews", HEADERS, ROWS)
    as_csv = exports.export_response(factory.get("/?format=csv"), "reviews", HEADERS, ROWS)

    assert as_xlsx["Content-Type"] == exports.XLSX_CONTENT_TYPE
    assert as_csv["Content-Type"].startswith("text/csv")
    assert exports.requested_format(factory.get("/?format=pdf")) is None
    assert exports.requested_format(factory.get("/")) is None
