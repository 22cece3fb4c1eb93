"""Spreadsheets in and out, safely: the one reader of uploaded CSV/XLSX files and the one cell
neutraliser of every CSV/XLSX the app writes.

Reading (`spreadsheet_read`): an upload is refused by its size before anything is parsed; an
XLSX by its unpacked size before openpyxl opens it; then rows and columns are counted while
reading in openpyxl's read-only (streaming) mode, ignoring the sheet's own declared size (a
4.9 kB file may declare A1:XFD1048576), and reading stops just past the limit. Every refusal
is a `SpreadsheetTooLarge` whose message names the limit.

Writing (`cell_neutralise`): a text cell that begins with = + - @, a tab or a carriage return is
what spreadsheet programs run as a formula (`=HYPERLINK(...)`, `=cmd|' /C calc'!A0`); such a
cell is written with a leading apostrophe, so it shows as the text it is.
"""

import csv
import io
import zipfile

import tablib
from django.conf import settings
from django.core.exceptions import ValidationError
from import_export.formats.base_formats import CSV, XLSX

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
UNPACKED_PER_PACKED = 10  # an XLSX may unpack to at most 10 times the upload limit


class SpreadsheetTooLarge(ValueError):
    """The file is over a limit; the message says which, in words for the person uploading."""


def _limits() -> tuple[int, int, int]:
    return settings.SPREADSHEET_MAX_BYTES, settings.SPREADSHEET_MAX_ROWS, settings.SPREADSHEET_MAX_COLUMNS


def _megabytes(n: int) -> str:
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f} MB".replace(".0 MB", " MB")
    if n >= 1_000:
        return f"{n / 1_000:.0f} kB"
    return f"{n} bytes"


def upload_size_check(size: int) -> None:
    max_bytes = _limits()[0]
    if size > max_bytes:
        raise SpreadsheetTooLarge(
            f"The file is {_megabytes(size)}: files of at most {_megabytes(max_bytes)} can be imported. "
            "Split it into smaller files."
        )


def upload_size_validator(upload) -> None:
    """For a form's FileField: the size limit, checked before the file is read."""
    try:
        upload_size_check(upload.size)
    except SpreadsheetTooLarge as error:
        raise ValidationError(str(error)) from None


def spreadsheet_read(content: bytes | str, *, extension: str, encoding: str = "utf-8-sig") -> tablib.Dataset:
    """The file's first sheet as a dataset (first row: headers), within the limits."""
    upload_size_check(len(content))
    if extension == "xlsx":
        return _xlsx_read(content)
    if extension == "csv":
        return _csv_read(content, encoding)
    raise ValueError(f"Unsupported spreadsheet type: {extension!r}")


def _rows_checked(rows, max_rows: int, max_columns: int):
    """Yield non-blank rows, refusing the file once it passes a limit (blank rows count too)."""
    for number, row in enumerate(rows, start=1):
        if number > max_rows + 1:  # + the header row
            raise SpreadsheetTooLarge(
                f"The sheet has more than {max_rows:,} rows: import at most {max_rows:,} rows at a time "
                "(split the file)."
            )
        if len(row) > max_columns and any(v not in (None, "") for v in row[max_columns:]):
            raise SpreadsheetTooLarge(
                f"Row {number} has more than {max_columns} columns: a file may have at most {max_columns}."
            )
        row = list(row[:max_columns])
        if any(v not in (None, "") for v in row):
            yield row


def _dataset(rows: list[list]) -> tablib.Dataset:
    if not rows:
        return tablib.Dataset()
    width = max(max((i + 1 for i, v in enumerate(r) if v not in (None, "")), default=0) for r in rows)
    rows = [(r + [None] * width)[:width] for r in rows]
    return tablib.Dataset(*rows[1:], headers=rows[0])


def _xlsx_read(content: bytes) -> tablib.Dataset:
    import openpyxl

    max_bytes, max_rows, max_columns = _limits()
    if isinstance(content, str):
        raise ValueError("This is not a readable .xlsx file.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError):
        raise ValueError("This is not a readable .xlsx file.") from None
    if unpacked > max_bytes * UNPACKED_PER_PACKED:
        raise SpreadsheetTooLarge(
            f"The file unpacks to {_megabytes(unpacked)}: an .xlsx file may unpack to at most "
            f"{_megabytes(max_bytes * UNPACKED_PER_PACKED)}. Save only the enrolment sheet and try again."
        )
    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    try:
        sheet = workbook.active
        sheet.reset_dimensions()  # never trust the declared size: count what is really there
        # each row as wide as its own last cell (at most 16,384), checked one row at a time
        rows = sheet.iter_rows(values_only=True)
        return _dataset(list(_rows_checked(rows, max_rows, max_columns)))
    finally:
        workbook.close()


def _csv_read(content: bytes | str, encoding: str) -> tablib.Dataset:
    _, max_rows, max_columns = _limits()
    text = content.decode(encoding) if isinstance(content, bytes) else content
    rows = csv.reader(io.StringIO(text, newline=""))
    return _dataset(list(_rows_checked(rows, max_rows, max_columns)))


# --- writing ---------------------------------------------------------------------------------

def cell_neutralise(value):
    """A text cell that a spreadsheet would run as a formula, made plain text ("'=2+5")."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def dataset_neutralise(dataset: tablib.Dataset) -> tablib.Dataset:
    """A copy of the dataset with every cell neutralised (headers too)."""
    headers = [cell_neutralise(h) for h in dataset.headers] if dataset.headers else None
    rows = [[cell_neutralise(v) for v in row] for row in dataset]
    return tablib.Dataset(*rows, headers=headers, title=dataset.title)


# --- django-import-export (the admin's export) ------------------------------------------------

class SafeCSV(CSV):
    """CSV for django-import-export: read by `spreadsheet_read`, written neutralised."""

    def create_dataset(self, in_stream, **kwargs):
        return spreadsheet_read(in_stream, extension="csv", encoding=self.encoding or "utf-8-sig")

    def export_data(self, dataset, **kwargs):
        return super().export_data(dataset_neutralise(dataset), **kwargs)


class SafeXLSX(XLSX):
    """XLSX for django-import-export: read by `spreadsheet_read`, written neutralised."""

    def create_dataset(self, in_stream, **kwargs):
        return spreadsheet_read(in_stream, extension="xlsx")

    def export_data(self, dataset, **kwargs):
        return super().export_data(dataset_neutralise(dataset), **kwargs)


__all__ = [
    "SpreadsheetTooLarge", "spreadsheet_read", "upload_size_check", "upload_size_validator",
    "cell_neutralise", "dataset_neutralise", "SafeCSV", "SafeXLSX",
]
