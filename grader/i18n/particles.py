"""Korean particles chosen by the final sound of the word they follow (이/가, 을/를, 은/는, 과/와, 으로/로).

A Korean template names the particle in the placeholder's format spec, `{call:이} {got:을} 반환했습니다`
(either form of the pair works: `{got:를}` is the same), so the particle is chosen when the value is
known; a format spec of its own comes first, `{value:.4f|이}`. Fixed text carries the right particle
written out. The final sound is read from the last pronounced character:
- a Hangul syllable has a final consonant when `(code − 0xAC00) % 28 != 0` (ㄹ when it is 8);
- digits as Korean numbers (1 일, 3 삼, 10 십, 100 백, 1000 천...);
- Latin letters by English pronunciation: single letters and acronyms by the letter's name (L 엘,
  M 엠, N 엔, R 알), words by their ending (-m, -n, -ng, -l, -le, -me, -ne);
- quotes and closing brackets are skipped, and a trailing call or parenthesis `f(x, y)` is read as the
  word before it, as Korean orthography attaches a particle to the word before a parenthesis.
"""

from __future__ import annotations

import re
import string

# (after a final consonant, after a vowel); 으로/로 also takes 로 after ㄹ
PAIRS = {
    "이": ("이", "가"), "가": ("이", "가"),
    "을": ("을", "를"), "를": ("을", "를"),
    "은": ("은", "는"), "는": ("은", "는"),
    "과": ("과", "와"), "와": ("과", "와"),
    "으로": ("으로", "로"), "로": ("으로", "로"),
    "이나": ("이나", "나"), "나": ("이나", "나"),
    "이어야": ("이어야", "여야"), "여야": ("이어야", "여야"),
    "이라는": ("이라는", "라는"), "라는": ("이라는", "라는"),
    "이에요": ("이에요", "예요"), "예요": ("이에요", "예요"),
}
# the forms a translator must not write (tests/test_i18n_particles.py keeps them out of the catalogs)
FORM_NOTATION = re.compile(r"이\(가\)|가\(이\)|을\(를\)|를\(을\)|은\(는\)|는\(은\)|와\(과\)|과\(와\)|\(으\)로|\(이\)")

VOWEL, CONSONANT, RIEUL = "vowel", "consonant", "rieul"  # the three endings that decide a particle
_DIGIT = {"0": CONSONANT, "1": RIEUL, "2": VOWEL, "3": CONSONANT, "4": VOWEL, "5": VOWEL, "6": CONSONANT,
          "7": RIEUL, "8": RIEUL, "9": VOWEL}  # 영 일 이 삼 사 오 육 칠 팔 구
_POWER = {1: CONSONANT, 2: CONSONANT, 3: CONSONANT}  # 십 백 천; 만, 억 and beyond end in a consonant too
_LETTER = {letter: VOWEL for letter in string.ascii_lowercase}
_LETTER.update({"l": RIEUL, "r": RIEUL, "m": CONSONANT, "n": CONSONANT})  # 엘 알 엠 엔
_SKIPPED = set("\"'`“”‘’)]}>»」』 \t\n.,;:!?…·*")
_WORD = re.compile(r"[A-Za-z]+$")


def hangul_ending(char: str) -> str | None:
    """The ending of one Hangul syllable (None for anything else)."""
    code = ord(char) - 0xAC00
    if not 0 <= code < 11172:
        return None
    final = code % 28
    return VOWEL if final == 0 else RIEUL if final == 8 else CONSONANT


def _number_ending(digits: str) -> str:
    """An integer's last pronounced word: 10 → 십, 200 → 이백, 3000 → 삼천, 10000 → 만, else its last digit."""
    stripped = digits.rstrip("0")
    if not stripped:
        return CONSONANT  # 영
    zeros = len(digits) - len(stripped)
    return _POWER.get(zeros, CONSONANT) if zeros else _DIGIT[digits[-1]]


def _latin_ending(word: str) -> str:
    """An English word, abbreviation or letter by how it is read in Korean."""
    last_part = re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])", word) or [word]
    part = last_part[-1]
    if len(part) <= 2 or part.isupper() or not re.search(r"[aeiouy]", part.lower()):
        return _LETTER[part[-1].lower()]  # W 더블유, lr 엘알, MSE 엠에스이, dW 디더블유
    lower = part.lower()
    if lower.endswith(("ng", "m", "n", "me", "ne", "type")):
        return CONSONANT  # sum 섬, mean 민, string 스트링, time 타임, none 논, dtype 디타입
    if lower.endswith(("l", "le")):
        return RIEUL  # model 모델, module 모듈, sample 샘플
    if re.search(r"[^aeiou][aeiou](p|ck|k|t)$", lower) and not lower.endswith("eck"):
        return CONSONANT  # step 스텝, stack 스택, fit 핏, split 스플릿 (check 체크 is read with a vowel)
    return VOWEL  # loss 로스, tensor 텐서, float 플로트, grad 그래드, optimizer 옵티마이저


def _strip_call(text: str) -> str:
    """`mse(prediction, target)` → `mse`; `tensor([1., 2.])` → `tensor` (a trailing balanced parenthesis)."""
    if not text.endswith(")"):
        return text
    depth = 0
    for index in range(len(text) - 1, -1, -1):
        if text[index] == ")":
            depth += 1
        elif text[index] == "(":
            depth -= 1
            if depth == 0:
                before = text[:index].rstrip()
                return before if before else text[1:-1]
    return text


def ending(text: str) -> str:
    """VOWEL, CONSONANT or RIEUL: how the last pronounced sound of `text` ends (VOWEL when nothing is read)."""
    text = str(text)
    for _ in range(8):  # quotes around a call around a quote...
        trimmed = text.rstrip("".join(_SKIPPED - {")"}))
        trimmed = _strip_call(trimmed)
        if trimmed == text:
            break
        text = trimmed
    if not text:
        return VOWEL
    last = text[-1]
    syllable = hangul_ending(last)
    if syllable is not None:
        return syllable
    if last.isdigit():
        digits = re.search(r"\d+$", text).group()
        if re.search(r"[.,]\d+$", text):  # a decimal is read digit by digit after the point: 3.10 삼 점 일 영
            return _DIGIT[last]
        return _number_ending(digits)
    word = _WORD.search(text)
    if word:
        return _latin_ending(word.group())
    return VOWEL  # a symbol alone: nothing is read


def particle(text: str, name: str) -> str:
    """The form of particle `name` (either form of the pair) that follows `text`."""
    with_final, without_final = PAIRS[name]
    sound = ending(text)
    if with_final == "으로":
        return with_final if sound == CONSONANT else without_final
    return with_final if sound in (CONSONANT, RIEUL) else without_final


def attach(text: str, name: str) -> str:
    """`text` followed by the right form of particle `name`: attach("모델", "을") == "모델을"."""
    return f"{text}{particle(text, name)}"


def split_spec(spec: str) -> tuple[str, str | None]:
    """`.4f|이` → (".4f", "이"); `을` → ("", "을"); `.3g` → (".3g", None)."""
    head, bar, tail = spec.rpartition("|")
    candidate = tail if bar else spec
    if candidate in PAIRS:
        return (head if bar else ""), candidate
    return spec, None


class ParticleFormatter(string.Formatter):
    """str.format where a placeholder's spec may end in a particle: `{name:을}`, `{got:.4f|이}`."""

    def format_field(self, value, format_spec: str) -> str:
        spec, name = split_spec(format_spec)
        text = format(value, spec)
        return attach(text, name) if name else text


_FORMATTER = ParticleFormatter()


def format_template(template: str, params: dict) -> str:
    """`template.format_map(params)` with particles chosen by the values they follow."""
    return _FORMATTER.vformat(template, (), params)
