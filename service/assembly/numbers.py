"""Exact decimal arithmetic on values kept as published text."""

from __future__ import annotations

from decimal import Decimal, localcontext


def normalise(value: str, factor: str) -> str:
    """``value x factor`` written exactly: no rounding, no exponent, no trailing ``.0`` noise."""
    with localcontext() as ctx:
        ctx.prec = 60  # far more digits than any published figure: the product is exact
        product = Decimal(value) * Decimal(factor)
        text = format(product.normalize(), "f")
    assert Decimal(text) == product, (value, factor, text)  # never rounded
    return text


def significant_digits(value: str) -> int:
    """Digits as written, leading zeros excluded: ``25707.3`` -> 6, ``9.99`` -> 3, ``0.40`` -> 2."""
    digits = value.strip().lstrip("+-").replace(".", "").replace(",", "")
    return len(digits.lstrip("0")) or 1


def written_forms(value: str) -> list[str]:
    """Ways the published value may be written in its quote (after removing thousands commas)."""
    forms = {value}
    number = float(value)
    forms.add("%.15g" % number)
    return sorted(forms)


def value_in_quote(value: str, quote: str) -> bool:
    """The rule the expectation suites also apply (in SQL): the value, as %.15g, occurs in the quote (as %.16g
    or %.17g for a binary-float artefact of a workbook, ``9141.924999999999``), and so does the value as written."""
    plain = quote.replace(",", "")
    number = float(value)
    return (any(form % number in plain for form in ("%.15g", "%.16g", "%.17g"))
            and value.replace(",", "") in plain)
