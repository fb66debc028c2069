"""The one date parser: a column of text to timestamps, trying a department's formats in order."""

import pandas as pd


def parse_dates(values: pd.Series, formats: tuple[str, ...]) -> pd.Series:
    """Timestamps for `values`; NaT where no format fits (including impossible dates like 02/31)."""
    text = values.fillna("").astype(str).str.strip()
    parsed = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    for date_format in formats:
        todo = parsed.isna() & (text != "")
        if not todo.any():
            break
        parsed.loc[todo] = pd.to_datetime(text[todo], format=date_format, errors="coerce")
    return parsed
