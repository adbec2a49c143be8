"""Reading an import file a row at a time: CSV (UTF-8) or an Excel workbook's first sheet.

Both readers give the header (lower-cased names) and then ``(line, cells)`` pairs,
``cells`` a list of strings in header order, so one set of checks serves both.
Nothing is held but the row being read: memory does not grow with the file.
Excel's typed cells (numbers, dates, booleans) become the text a CSV would hold.
"""

from __future__ import annotations

import codecs
import csv
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

from vrp_tui.errors import VrpError

MAX_PROBLEMS = 100  # problems listed in full; the rest are counted
MAX_LINE_BYTES = 1 << 20  # a CSV line longer than this is not a file of records
MAX_SHARED_STRINGS = 64 << 20  # an XLSX's shared strings are read whole: bound them
UTF8_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class CsvProblem:
    """One reason a file cannot be imported. ``line`` 1 is the header (a sheet's row 1);
    ``column`` "" is the whole row; ``cell`` is the sheet cell (``D7``) in an XLSX."""

    line: int
    column: str
    message: str
    cell: str = ""

    def __str__(self) -> str:
        where = f"{self.column} ({self.cell})" if self.cell else self.column
        return f"{self.line}: {where}: {self.message}" if where else f"{self.line}: {self.message}"


class ImportFailed(VrpError):
    """The file was refused; nothing was written. ``errors`` lists the first problems."""

    def __init__(self, errors: list[CsvProblem], *, total: int | None = None, lines: int | None = None):
        self.errors = errors
        self.total = len(errors) if total is None else total
        rows = len({p.line for p in errors}) if lines is None else lines
        more = f" (the first {len(errors)} listed)" if self.total > len(errors) else ""
        super().__init__(
            f"{self.total} problem{'s' * (self.total != 1)} on {rows} line{'s' * (rows != 1)}{more}; "
            "nothing was imported"
        )


class Problems:
    """The problems met so far: the first ``MAX_PROBLEMS`` kept, every one counted."""

    def __init__(self) -> None:
        self.listed: list[CsvProblem] = []
        self.total = 0
        self.lines = 0
        self._last_line = -1

    def __bool__(self) -> bool:
        return self.total > 0

    def add(self, problem: CsvProblem) -> None:
        self.total += 1
        if problem.line != self._last_line:
            self.lines += 1
            self._last_line = problem.line
        if len(self.listed) < MAX_PROBLEMS:
            self.listed.append(problem)

    def failure(self) -> ImportFailed:
        return ImportFailed(sorted(self.listed, key=lambda p: p.line), total=self.total, lines=self.lines)


class Rows:
    """An open import file: ``header``, then ``rows()`` once; ``close()`` when done.

    ``expected`` is how many rows the file says it has (for a progress bar: the
    CSV's lines after the header, the sheet's declared size); None when unknown.
    """

    header: list[str]
    expected: int | None = None

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        raise NotImplementedError

    def close(self) -> None:
        """Nothing to close by default."""


def open_rows(path: Path, problems: Problems) -> Rows:
    """The reader for ``path`` by its suffix (``.xlsx``: the first sheet; anything else: CSV)."""
    if path.suffix.lower() == ".xlsx":
        return XlsxRows(path, problems)
    return CsvRows(path, problems)


def _unreadable(exc: OSError) -> ImportFailed:
    return ImportFailed([CsvProblem(0, "", f"cannot read the file: {exc.strerror or exc}")])


# -- CSV --------------------------------------------------------------------


class CsvRows(Rows):
    """A CSV file read by the csv module over a text stream (one pass to check the bytes first)."""

    def __init__(self, path: Path, problems: Problems):
        self.problems = problems
        try:
            self.expected = max(_check_bytes(path) - 1, 0)
            self.file: IO[str] = path.open(encoding="utf-8-sig", newline="")
        except OSError as exc:
            raise _unreadable(exc) from None
        try:
            self.reader = csv.reader(self.file)
            self.header = self._header()
        except OSError as exc:
            self.close()
            raise _unreadable(exc) from None
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        self.file.close()

    def _header(self) -> list[str]:
        try:
            return [cell.strip().lower() for cell in next(self.reader)]
        except StopIteration:
            return []
        except csv.Error as exc:
            raise ImportFailed([CsvProblem(1, "", f"not a CSV header row: {exc}")]) from None

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        width = len(self.header)
        reader = self.reader
        line = reader.line_num + 1
        try:
            for cells in reader:
                if len(cells) == width:
                    if "".join(cells).strip():  # rows with nothing in them are skipped
                        yield line, cells
                elif "".join(cells).strip():
                    self.problems.add(CsvProblem(line, "", f"has {len(cells)} fields but the header has {width}"))
                line = reader.line_num + 1
        except csv.Error as exc:
            self.problems.add(CsvProblem(line, "", f"cannot be read as CSV: {exc}"))
        except OSError as exc:
            self.problems.add(CsvProblem(line, "", f"cannot read the file: {exc.strerror or exc}"))


_CHUNK = 1 << 20


def _check_bytes(path: Path) -> int:
    """The file's number of lines; ImportFailed unless it is UTF-8 with no line over MAX_LINE_BYTES,
    found in one quick pass of large reads; the lines that are not UTF-8 are then named with their bytes."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    since_newline = 0
    line = 1
    with path.open("rb") as file:
        start = file.read(2)
        if start in (b"\xff\xfe", b"\xfe\xff"):
            raise ImportFailed([CsvProblem(1, "", "the file is UTF-16: save it as CSV UTF-8")])
        file.seek(0)
        utf8 = True
        while chunk := file.read(_CHUNK):
            if utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
            first, last = chunk.find(b"\n"), chunk.rfind(b"\n")
            if (since_newline + (len(chunk) if first < 0 else first)) > MAX_LINE_BYTES:
                raise ImportFailed([CsvProblem(line, "", f"is longer than {MAX_LINE_BYTES >> 20} MB: "
                                               "not a CSV file of records")])
            since_newline = since_newline + len(chunk) if last < 0 else len(chunk) - last - 1
            line += chunk.count(b"\n")
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
        if not utf8:
            file.seek(0)
            raise ImportFailed(_undecodable_lines(file))
    return line - 1 if since_newline == 0 else line  # a last line without its newline counts too


def _undecodable_lines(file: IO[bytes]) -> list[CsvProblem]:
    """Each line that is not UTF-8 (the first MAX_PROBLEMS), with its first bad byte and offset."""
    problems = []
    offset = 0
    for number, raw in enumerate(file, start=1):
        skip = len(UTF8_BOM) if number == 1 and raw.startswith(UTF8_BOM) else 0
        try:
            raw[skip:].decode("utf-8")
        except UnicodeDecodeError as exc:
            at = skip + exc.start
            problems.append(CsvProblem(number, "", f"not UTF-8: byte 0x{raw[at]:02X} at offset {offset + at}; "
                                       "save the file as CSV UTF-8"))
            if len(problems) >= MAX_PROBLEMS:
                break
        offset += len(raw)
    return problems


# -- XLSX -------------------------------------------------------------------


class XlsxRows(Rows):
    """The first sheet of a workbook, read with openpyxl in read-only mode (streamed)."""

    def __init__(self, path: Path, problems: Problems):
        self.problems = problems
        _check_workbook(path)
        try:
            from openpyxl import load_workbook

            self.book = load_workbook(path, read_only=True, data_only=True)
        except OSError as exc:
            raise _unreadable(exc) from None
        except Exception as exc:  # a hostile or broken file can fail anywhere in the library
            raise ImportFailed([CsvProblem(0, "", f"not an Excel workbook (.xlsx): {_reason(exc)}")]) from None
        try:
            self.sheet = self.book.worksheets[0]
            declared = self.sheet.max_row
            self.expected = declared - 1 if isinstance(declared, int) and declared > 1 else None
            # Rows as the sheet holds them, not padded to the size it declares (which a
            # hostile file could make a million columns wide).
            self.sheet.reset_dimensions()
            self.iterator = self.sheet.iter_rows(values_only=True)
            first = next(self.iterator, ())
            cells = [_header_name(value) for value in first]
            while cells and not cells[-1]:
                cells.pop()
            self.header = cells
        except Exception as exc:
            self.close()
            raise ImportFailed([CsvProblem(1, "", f"the first sheet cannot be read: {_reason(exc)}")]) from None

    def close(self) -> None:
        self.book.close()

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        header = self.header
        width = len(header)
        line = 1
        try:
            for line, values in enumerate(self.iterator, start=2):
                if len(values) > width and any(v is not None and str(v).strip() for v in values[width:]):
                    extra = next(n for n in range(width, len(values))
                                 if values[n] is not None and str(values[n]).strip())
                    self.problems.add(CsvProblem(line, "", "has a value in a column with no header",
                                                 f"{column_letter(extra)}{line}"))
                    continue
                cells = [cell_text(values[n] if n < len(values) else None, header[n]) for n in range(width)]
                if any(cells):
                    yield line, cells
        except Exception as exc:
            self.problems.add(CsvProblem(line + 1, "", f"the sheet cannot be read: {_reason(exc)}"))


def _check_workbook(path: Path) -> None:
    """Refuse before parsing what is not a zip, or whose shared strings would not fit in memory."""
    try:
        with zipfile.ZipFile(path) as archive:
            sizes = {info.filename: info.file_size for info in archive.infolist()}
    except OSError as exc:
        raise _unreadable(exc) from None
    except (zipfile.BadZipFile, ValueError, EOFError) as exc:
        raise ImportFailed([CsvProblem(0, "", f"not an Excel workbook (.xlsx): {_reason(exc)}")]) from None
    if sizes.get("xl/sharedStrings.xml", 0) > MAX_SHARED_STRINGS:
        raise ImportFailed([CsvProblem(0, "", "the workbook's text is too large to import "
                                              f"(over {MAX_SHARED_STRINGS >> 20} MB)")])


def _reason(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:200] or type(exc).__name__


def _header_name(value: Any) -> str:
    return "" if value is None else str(value).strip().lower()


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def cell_text(value: Any, column: str) -> str:
    """An Excel cell as the text the same cell of a CSV would hold, for the same checks.

    Dates at midnight become ``YYYY-MM-DD``; whole numbers their digits; an amount
    with at most two decimals ``1250.50`` (any other number keeps every digit, and is
    refused as more than two decimal places); booleans ``yes`` or ``no``.
    """
    if value is None:
        return ""
    if isinstance(value, str):
        # The sheet's XML writes a control character as _xHHHH_: read it as the character it is.
        return _unescape(value) if "_x" in value else value
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _number_text(value, money=column == "amount")
    return str(value)


def _unescape(value: str) -> str:
    from openpyxl.utils.escape import unescape

    return str(unescape(value))


def _number_text(value: float, *, money: bool) -> str:
    try:
        exact = Decimal(repr(value))  # the shortest decimal that is this float: what Excel shows
    except InvalidOperation:
        return repr(value)
    if not exact.is_finite():
        return repr(value)
    if exact == exact.to_integral_value() and not money:
        return f"{exact.to_integral_value():f}"
    if money and exact.as_tuple().exponent >= -2:  # type: ignore[operator]
        return f"{exact:.2f}"
    return f"{exact:f}"
