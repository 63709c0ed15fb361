"""The interface in Russian and English: every string the pages and the widget show, in one table.

Plain Python: the pages pick a language from the request and call `Translator`; the widget gets the
`WIDGET_KEYS` part of the table as JSON when /widget.js is served.
"""

from __future__ import annotations

from dataclasses import dataclass

from search_service.dates import DateError, parse_date

UI_LANGUAGES = ("en", "ru")
DEFAULT_UI = "en"

# Values are format strings ({name} placeholders). A tuple is a plural: English (one, other),
# Russian (one, few, many), chosen by `plural`.
MESSAGES: dict[str, dict[str, str | tuple[str, ...]]] = {
    "en": {
        "site_name": "Archive search",
        "site_tagline": "Russian originals and English translations, searched together",
        "intro": "Type words in Russian or English. Any inflection matches: совета finds Совете, "
                 "withdrawal finds withdrawing. Use \"quotes\" for a phrase, OR and NOT for alternatives.",
        "search_label": "Search the archive",
        "placeholder": "совета безопасности · Security Council",
        "search_button": "Search",
        "filters": "Filters",
        "language_filter": "Language of the text",
        "both_languages": "Russian and English",
        "lang_ru": "Russian",
        "lang_en": "English",
        "year_from": "Years from",
        "year_to": "to",
        "years": "Years",
        "apply": "Apply",
        "records": ("{count} record", "{count} records"),
        "took": "{ms} ms",
        "relaxed": "No record has every word; these have the most of them.",
        "corrected_layout": "Showing results for “{query}”: the query looks typed with the other keyboard layout.",
        "also_searched_ru": "Also searched in Russian as “{query}”.",
        "also_searched_en": "Also searched in English as “{query}”.",
        "translate_off": "Search only as typed",
        "via_translation": "found through translation",
        "did_you_mean": "Did you mean",
        "no_hits": "Nothing found for “{query}”.",
        "no_hits_years": "Nothing in {years}. The timeline shows the years where the query finds records.",
        "no_hits_hint": "Try fewer words, another form of a word, or the words in the other language.",
        "search_both": "Search Russian and English texts",
        "timeline": "Records per year",
        "timeline_bar": ("{label}: {count} record", "{label}: {count} records"),
        "all_years": "All years",
        "facets": "Narrow the list",
        "facet_collection": "Collection",
        "facet_type": "Type",
        "facet_lang": "Language",
        "apply_filters": "Apply",
        "sort_label": "Order",
        "sort_relevance": "Best matches first",
        "sort_date": "Oldest first",
        "sort_-date": "Newest first",
        "years_since": "from {start}",
        "years_until": "up to {end}",
        "showing_years": "Showing {years}",
        "pages": "Result pages",
        "previous": "Previous",
        "next": "Next",
        "page": "Page {page}",
        "page_of": "Page {page} of {pages}",
        "skip": "Skip to main content",
        "interface_language": "Interface language",
        "back": "Back to search",
        "date": "Date",
        "approximate_date": "ca. {date}",
        "citation": "Archive citation",
        "summary": "Summary",
        "highlighted": "Words of “{query}” are highlighted.",
        "related": "Related records",
        "find_in_record": "Find in this record",
        "find": "Find",
        "matches": ("{count} match", "{count} matches"),
        "first_match": "First match",
        "previous_match": "Previous match",
        "next_match": "Next match",
        "completions": "Completions",
        "completions_count": "Completions: {count}",
        "clear_highlight": "Remove highlighting",
        "texts_aligned": "The texts passage by passage, each beside its translation",
        "cite": "Cite",
        "cite_intro": "Download the reference for a reference manager:",
        "cite_ris": "RIS (Zotero, EndNote, Mendeley)",
        "cite_bibtex": "BibTeX",
        "download_list": "Download the list (up to {limit} records):",
        "error": "Error {status}",
        "preparing_title": "The search is being prepared",
        "preparing": "The archive's records are being indexed for searching. Please try again in a few minutes.",
        "try_again": "Try again",
        "searching": "Searching…",
        "search_failed": "The search failed: {message}",
        "open_all": "All results on the archive site",
        "opens_new_tab": "(opens in a new tab)",
    },
    "ru": {
        "site_name": "Поиск по архиву",
        "site_tagline": "Русские оригиналы и английские переводы в одном поиске",
        "intro": "Пишите по-русски или по-английски. Слова находятся в любой форме: «совета» найдёт "
                 "«Совете», withdrawal найдёт withdrawing. \"Кавычки\" ищут фразу, OR и NOT задают варианты.",
        "search_label": "Поиск по архиву",
        "placeholder": "совета безопасности · Security Council",
        "search_button": "Найти",
        "filters": "Фильтры",
        "language_filter": "Язык текста",
        "both_languages": "Русский и английский",
        "lang_ru": "Русский",
        "lang_en": "Английский",
        "year_from": "Годы с",
        "year_to": "по",
        "years": "Годы",
        "apply": "Применить",
        "records": ("{count} запись", "{count} записи", "{count} записей"),
        "took": "{ms} мс",
        "relaxed": "Ни в одной записи нет всех слов; показаны записи, где их больше всего.",
        "corrected_layout": "Показаны результаты по запросу «{query}»: похоже, запрос набран в другой раскладке.",
        "also_searched_ru": "Также искали по-русски: «{query}».",
        "also_searched_en": "Также искали по-английски: «{query}».",
        "translate_off": "Искать только как написано",
        "via_translation": "найдено через перевод",
        "did_you_mean": "Возможно, вы имели в виду",
        "no_hits": "По запросу «{query}» ничего не найдено.",
        "no_hits_years": "В диапазоне {years} ничего нет. Шкала показывает годы, где запрос находит записи.",
        "no_hits_hint": "Попробуйте меньше слов, другую форму слова или те же слова на другом языке.",
        "search_both": "Искать в русских и английских текстах",
        "timeline": "Записи по годам",
        "timeline_bar": ("{label}: {count} запись", "{label}: {count} записи", "{label}: {count} записей"),
        "all_years": "Все годы",
        "facets": "Уточнить список",
        "facet_collection": "Собрание",
        "facet_type": "Тип",
        "facet_lang": "Язык",
        "apply_filters": "Применить",
        "sort_label": "Порядок",
        "sort_relevance": "Сначала самые подходящие",
        "sort_date": "Сначала старые",
        "sort_-date": "Сначала новые",
        "years_since": "с {start} г.",
        "years_until": "по {end} г.",
        "showing_years": "Годы: {years}",
        "pages": "Страницы результатов",
        "previous": "Назад",
        "next": "Далее",
        "page": "Страница {page}",
        "page_of": "Страница {page} из {pages}",
        "skip": "Перейти к содержимому",
        "interface_language": "Язык интерфейса",
        "back": "Назад к поиску",
        "date": "Дата",
        "approximate_date": "около {date}",
        "citation": "Архивная ссылка",
        "summary": "Краткое содержание",
        "highlighted": "Выделены слова запроса «{query}».",
        "related": "Похожие документы",
        "find_in_record": "Найти в документе",
        "find": "Найти",
        "matches": ("{count} совпадение", "{count} совпадения", "{count} совпадений"),
        "first_match": "Первое совпадение",
        "previous_match": "Предыдущее совпадение",
        "next_match": "Следующее совпадение",
        "completions": "Варианты",
        "completions_count": "Вариантов: {count}",
        "clear_highlight": "Убрать выделение",
        "texts_aligned": "Тексты по абзацам, каждый рядом со своим переводом",
        "cite": "Цитировать",
        "cite_intro": "Скачать ссылку для менеджера библиографии:",
        "cite_ris": "RIS (Zotero, EndNote, Mendeley)",
        "cite_bibtex": "BibTeX",
        "download_list": "Скачать список (до {limit} записей):",
        "error": "Ошибка {status}",
        "preparing_title": "Поиск готовится",
        "preparing": "Записи архива сейчас индексируются для поиска. Попробуйте ещё раз через несколько минут.",
        "try_again": "Попробовать ещё раз",
        "searching": "Идёт поиск…",
        "search_failed": "Поиск не удался: {message}",
        "open_all": "Все результаты на сайте архива",
        "opens_new_tab": "(откроется в новой вкладке)",
    },
}

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
