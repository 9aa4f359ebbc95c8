"""Member-visible text in the programme's languages: message catalogs and locale choice.

Every string a member reads that the server writes (ledger descriptions, inbox messages,
SMS and e-mail, error messages) is a *key* plus *params* rendered here in one of
:data:`LOCALES`. Catalogs are plain dicts, one module per area under
``shared/i18n/catalogs/`` (``notices``, ``ledger``, ``errors``), each with ``EN`` and
``ZH_CN``; the area is the key's first dotted part (``"ledger.purchase"`` lives in
``catalogs/ledger.py``), loaded on first use so a handler pays only for what it renders.

Templates use ``str.format`` fields (``"{points} 积分"``); tests check that both locales
have the same keys and the same fields. Pure: no I/O beyond importing a catalog module.
"""

from __future__ import annotations

from importlib import import_module
from string import Formatter
from typing import Any

ZH_CN, EN = "zh-CN", "en"
LOCALES: tuple[str, ...] = (ZH_CN, EN)
DEFAULT_LOCALE = ZH_CN  # the programme is for Chinese shoppers; rules may say otherwise

_ATTR = {ZH_CN: "ZH_CN", EN: "EN"}
_loaded: dict[str, dict[str, dict[str, str]]] = {}


def catalog(area: str, locale: str) -> dict[str, str]:
    """The templates of one area in one locale (keys without the area prefix)."""
    if area not in _loaded:
        module = import_module(f"shared.i18n.catalogs.{area}")
        _loaded[area] = {loc: getattr(module, attr) for loc, attr in _ATTR.items()}
    return _loaded[area][supported(locale)]


def has(key: str, locale: str = EN) -> bool:
    area, _, name = key.partition(".")
    try:
        return name in catalog(area, locale)
    except ModuleNotFoundError:
        return False


def text(locale: str, key: str, params: dict[str, Any] | None = None) -> str:
    """``key`` rendered in ``locale`` with ``params`` (KeyError if the key is unknown; a
    field the template names but ``params`` lacks renders as an empty string)."""
    area, _, name = key.partition(".")
    template = catalog(area, locale)[name]
    return template.format_map(_Lenient(params or {}))


def fields(template: str) -> set[str]:
    """The ``{field}`` names a template uses (tests compare the locales' sets)."""
    return {name for _, name, _, _ in Formatter().parse(template) if name}


class _Lenient(dict):  # type: ignore[type-arg]
    def __missing__(self, key: str) -> str:
        return ""


def supported(locale: str | None, default: str = DEFAULT_LOCALE) -> str:
    """``locale`` if it is one of ours (``zh``, ``zh-Hans-CN``... count as zh-CN, ``en-GB``
    as en), else ``default``."""
    if not locale:
        return default
    tag = locale.strip().lower().replace("_", "-")
    if tag == "en" or tag.startswith("en-"):
        return EN
    if tag == "zh" or tag.startswith("zh-"):
        return ZH_CN
    return default


def from_header(accept_language: str | None) -> str | None:
    """The best of our locales an ``Accept-Language`` header asks for (by ``q``), or None
    when it names none of them (or is absent)."""
    if not accept_language:
        return None
    best: tuple[float, int, str] | None = None
    for index, part in enumerate(accept_language.split(",")[:20]):
        tag, _, rest = part.strip().partition(";")
        quality = 1.0
        for param in rest.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        locale = supported(tag, default="")
        if locale and quality > 0 and (best is None or (quality, -index) > best[:2]):
            best = (quality, -index, locale)
    return best[2] if best else None


def negotiate(accept_language: str | None, saved: str | None, default: str) -> str:
    """The locale to answer in: the request's ``Accept-Language`` when it names one of
    ours (the apps send their UI language), else the member's saved choice, else the
    programme's default."""
    return from_header(accept_language) or supported(saved, default="") or supported(default)
