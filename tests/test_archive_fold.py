"""archive.fold: accent folding for search."""

from hypothesis import given
from hypothesis import strategies as st

from archive.fold import fold

VIETNAMESE = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
)
VIETNAMESE += VIETNAMESE.upper()


def test_fold_district_name():
    assert fold("Đảng bộ quận Hải An") == "dang bo quan hai an"


def test_fold_d_with_stroke_both_cases():
    assert fold("ĐĐđ") == "ddd"


def test_fold_decomposed_input_equals_precomposed():
    assert fold("Hu\u0301ng") == fold("Húng") == "hung"


@given(st.text())
def test_fold_is_idempotent(text):
    assert fold(fold(text)) == fold(text)


@given(st.text(alphabet=VIETNAMESE + " .,-0123456789"))
def test_fold_of_vietnamese_is_lowercase_ascii(text):
    out = fold(text)
    assert out.isascii() and out == out.lower()


@given(st.text(alphabet=VIETNAMESE))
def test_fold_keeps_length_of_nfc_vietnamese(text):
    # search snippets map folded positions back to the written text
    import unicodedata

    nfc = unicodedata.normalize("NFC", text)
    assert len(fold(nfc)) == len(nfc)
