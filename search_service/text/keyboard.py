"""Text typed with the wrong keyboard layout, switched back: `cjdtn` -> `совет`, `ыщмуе` -> `sovet`.

Plain Python. The table is the physical keyboard (US QWERTY over Russian ЙЦУКЕН), key for key.
"""

from __future__ import annotations

from search_service.text.scripts import has_cyrillic, has_latin

_US = "`qwertyuiop[]asdfghjkl;'zxcvbnm,./~QWERTYUIOP{}ASDFGHJKL:\"ZXCVBNM<>?"
_RU = "ёйцукенгшщзхъфывапролджэячсмитьбю.ЁЙЦУКЕНГШЩЗХЪФЫВАПРОЛДЖЭЯЧСМИТЬБЮ,"
_TO_RUSSIAN = str.maketrans(_US, _RU)
_TO_US = str.maketrans(_RU, _US)


def switch_layout(text: str) -> str | None:
    """`text` as typed on the other layout, or None when it mixes scripts or has no letters.

    Latin letters become the Russian keys under them and Cyrillic ones the US keys; a query in one
    script only is a candidate (a mixed one was typed on purpose).
    """
    latin = has_latin(text)
    if latin == has_cyrillic(text):
        return None
    return text.translate(_TO_RUSSIAN if latin else _TO_US)
