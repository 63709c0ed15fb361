"""The interface in Russian and English: choosing the language, plurals, dates, and the strings' table.

Plain Python: the pages pick a language from the request and call `Translator`; the widget gets the
`WIDGET_KEYS` part of `messages.MESSAGES` as JSON when /widget.js is served.
"""

from __future__ import annotations

from dataclasses import dataclass

from search_service.dates import DateError, parse_date
from search_service.web.messages import MESSAGES

UI_LANGUAGES = ("en", "ru")
DEFAULT_UI = "en"

# The part of the table the embeddable widget needs (it picks plural forms with Intl.PluralRules).
WIDGET_KEYS = ("search_label", "placeholder", "search_button", "records", "took", "relaxed", "no_hits",
               "no_hits_hint", "pages", "previous", "next", "page_of", "searching", "search_failed", "open_all",
               "opens_new_tab", "lang_ru", "lang_en", "preparing", "completions", "completions_count",
               "facets", "facet_collection", "facet_type", "facet_lang", "also_searched_ru", "also_searched_en",
               "via_translation")

_MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
    # Genitive after a day (27 августа 1950), nominative alone (август 1950).
    "ru": ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября",
           "ноября", "декабря"),
    "ru_alone": ("январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь", "октябрь",
                 "ноябрь", "декабрь"),
}


def choose_language(asked: str | None, remembered: str | None, browser_best: str | None) -> str:
    """The interface language: the one asked for in the URL, else the remembered one, else the browser's."""
    for candidate in (asked, remembered, browser_best):
        if candidate in UI_LANGUAGES:
            return candidate
    return DEFAULT_UI


def plural_index(ui: str, count: int) -> int:
    """Which plural form `count` takes: English one/other, Russian one/few/many."""
    if ui == "ru":
        if count % 10 == 1 and count % 100 != 11:
            return 0
        if 2 <= count % 10 <= 4 and not 12 <= count % 100 <= 14:
            return 1
        return 2
    return 0 if count == 1 else 1


@dataclass(frozen=True)
class Translator:
    """`t("key", name=value)` for one interface language; `count=` picks the plural form."""

    ui: str

    def __call__(self, key: str, **values) -> str:
        message = MESSAGES[self.ui][key]
        if isinstance(message, tuple):
            message = message[plural_index(self.ui, values["count"])]
        return message.format(**values)

    def facet(self, name: str) -> str:
        """A facet's heading: its translation, or the record key itself for a facet the table does not name."""
        key = f"facet_{name}"
        return self(key) if key in MESSAGES[self.ui] else name

    def date(self, value: str | None) -> str:
        """A record's date in words: `27 August 1950` / `27 августа 1950`, partial dates as far as they
        go, ranges `1950 – 1952`, approximate ones `ca. 1950` / `около 1950`."""
        try:
            when = parse_date(value)
        except DateError:
            return value or ""  # not a record date: shown as it is
        if when is None:
            return ""
        shown = self._day(when.start) + (f" – {self._day(when.end)}" if when.is_range else "")
        return self("approximate_date", date=shown) if when.approximate else shown

    def _day(self, value: str) -> str:
        """`1950-08-27` as `27 August 1950` / `27 августа 1950`; `1950-08` as `August 1950`."""
        parts = value.split("-")
        if len(parts) == 1:
            return parts[0]
        month = int(parts[1]) - 1
        if len(parts) == 2:
            return f"{_MONTHS['ru_alone' if self.ui == 'ru' else 'en'][month]} {parts[0]}"
        return f"{int(parts[2])} {_MONTHS[self.ui][month]} {parts[0]}"

    def years(self, start: int | None, end: int | None) -> str:
        """A year range as words: `1950`, `1948–1950`, `from 1948`, `to 1950`."""
        if start is not None and start == end:
            return str(start)
        if start is not None and end is not None:
            return f"{start}–{end}"
        if start is not None:
            return self("years_since", start=start)
        return self("years_until", end=end)


def widget_messages() -> dict[str, dict]:
    """The widget's strings in every interface language (it picks one from its data-lang)."""
    return {ui: {key: MESSAGES[ui][key] for key in WIDGET_KEYS} for ui in UI_LANGUAGES}
