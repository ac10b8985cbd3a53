"""Message text as Telegram stores it: parse modes, trimming and automatic entities.

Telegram turns `parse_mode` markup (HTML, MarkdownV2, legacy Markdown) into plain text
plus `MessageEntity` objects whose offsets count UTF-16 code units, trims surrounding
whitespace, and marks commands, mentions, hashtags, links and e-mail addresses by
itself. Markup errors come back as `400 Bad Request: can't parse entities: ...`, a
classic failure of MarkdownV2 texts with an unescaped `.` or `!`, so the sandbox
reproduces that too.

Longer than our ~400 lines on purpose: Telegram's three markup dialects (HTML, Markdown,
MarkdownV2) and their error wording, which only make sense side by side.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

from telegram_sandbox.errors import ApiError, bad_request

__all__ = ["auto_entities", "build_text", "utf16_len"]


def utf16_len(text: str) -> int:
    """Length of `text` in UTF-16 code units, the unit of entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(src: str, index: int) -> int:
    return len(src[:index].encode("utf-8"))


def _entities_error(detail: str) -> ApiError:
    return bad_request(f"can't parse entities: {detail}")


@dataclass
class _Open:
    """An entity whose end has not been seen yet."""

    kind: str
    start: int
    byte_offset: int
    tag: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


class _Builder:
    """Collects plain text and entities while a parser walks the markup."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pos = 0  # in UTF-16 code units
        self.entities: list[dict[str, Any]] = []

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.pos += utf16_len(text)

    def close(self, item: _Open, **extra: Any) -> None:
        length = self.pos - item.start
        if length > 0 and item.kind:
            entity: dict[str, Any] = {
                "type": item.kind,
                "offset": item.start,
                "length": length,
            }
            entity.update({k: v for k, v in {**item.extra, **extra}.items() if v is not None})
            self.entities.append(entity)

    def text(self) -> str:
        return "".join(self.parts)


# --- HTML ---------------------------------------------------------------------------------

_HTML_KINDS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_TAG_RE = re.compile(r"^([a-zA-Z][\w-]*)(.*?)/?$", re.S)
_ATTR_RE = re.compile(r"""([\w-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")
_HTML_ENTITY_RE = re.compile(r"&(#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|lt|gt|amp|quot);")


def _attrs(text: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for match in _ATTR_RE.finditer(text):
        value = match.group(2) or match.group(3) or match.group(4) or ""
        found[match.group(1).lower()] = html.unescape(value)
    return found


def _open_html_tag(src: str, start: int, inner: str, stack: list[_Open], out: _Builder) -> None:
    match = _TAG_RE.match(inner.strip())
    name = match.group(1).lower() if match else ""
    if name not in _HTML_KINDS:
        raise _entities_error(
            f'Unsupported start tag "{name or inner}" at byte offset {_byte_offset(src, start)}'
        )
    attrs = _attrs(match.group(2)) if match else {}
    item = _Open(_HTML_KINDS[name], out.pos, _byte_offset(src, start), tag=name)
    if name == "span" and attrs.get("class") != "tg-spoiler":
        raise _entities_error(
            f'Tag "span" must have class "tg-spoiler" at byte offset {item.byte_offset}'
        )
    if name == "a":
        href = attrs.get("href", "")
        item.kind = "text_link" if href else ""
        item.extra["url"] = href or None
    elif name == "blockquote" and "expandable" in attrs:
        item.kind = "expandable_blockquote"
    elif name == "tg-emoji":
        item.extra["custom_emoji_id"] = attrs.get("emoji-id")
    elif name == "code" and stack and stack[-1].tag == "pre":
        language = attrs.get("class", "")
        if language.startswith("language-"):
            stack[-1].extra["language"] = language[len("language-") :]
            item.kind = ""
    stack.append(item)


def _parse_html(src: str) -> tuple[str, list[dict[str, Any]]]:
    out = _Builder()
    stack: list[_Open] = []
    i, n = 0, len(src)
    while i < n:
        char = src[i]
        if char == "<":
            end = src.find(">", i)
            if end < 0:
                raise _entities_error(f"Unclosed start tag at byte offset {_byte_offset(src, i)}")
            inner = src[i + 1 : end]
            if inner.startswith("/"):
                name = inner[1:].strip().lower()
                if not stack:
                    raise _entities_error(
                        f'Unexpected end tag "{name}" at byte offset {_byte_offset(src, i)}'
                    )
                top = stack.pop()
                if top.tag != name:
                    raise _entities_error(
                        f"Unmatched end tag at byte offset {_byte_offset(src, i)}, "
                        f'expected "</{top.tag}>", found "</{name}>"'
                    )
                out.close(top)
            else:
                _open_html_tag(src, i, inner, stack, out)
            i = end + 1
        elif char == "&":
            match = _HTML_ENTITY_RE.match(src, i)
            if match:
                out.add(html.unescape(match.group(0)))
                i = match.end()
            else:
                out.add("&")
                i += 1
        else:
            end = i
            while end < n and src[end] not in "<&":
                end += 1
            out.add(src[i:end])
            i = end
    if stack:
        raise _entities_error(f'Can\'t find end tag corresponding to start tag "{stack[-1].tag}"')
    return out.text(), out.entities


# --- MarkdownV2 ---------------------------------------------------------------------------

_V2_RESERVED = set("_*[]()~`>#+-=|{}.!")
_V2_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "text_link": "TextUrl",
    "blockquote": "BlockQuote",
    "expandable_blockquote": "ExpandableBlockQuote",
}


def _v2_reserved(char: str) -> ApiError:
    return _entities_error(
        f"Character '{char}' is reserved and must be escaped with the preceding '\\'"
    )


def _v2_code(src: str, i: int, out: _Builder) -> int:
    """Inline code or a pre block at src[i] == '`'; returns the index after it."""
    fence = "```" if src.startswith("```", i) else "`"
    j = i + len(fence)
    chunk: list[str] = []
    while j < len(src):
        if src[j] == "\\" and j + 1 < len(src) and src[j + 1] in "`\\":
            chunk.append(src[j + 1])
            j += 2
            continue
        if src.startswith(fence, j):
            body = "".join(chunk)
            language = None
            if fence == "```" and "\n" in body:
                first, rest = body.split("\n", 1)
                if first.strip():
                    language, body = first.strip(), rest
                else:
                    body = rest
            item = _Open("pre" if fence == "```" else "code", out.pos, 0)
            out.add(body)
            out.close(item, language=language)
            return j + len(fence)
        chunk.append(src[j])
        j += 1
    kind = "Pre" if fence == "```" else "Code"
    raise _entities_error(f"Can't find end of {kind} entity at byte offset {_byte_offset(src, i)}")


def _v2_toggle(kind: str, src: str, i: int, stack: list[_Open], out: _Builder) -> None:
    if any(item.kind == kind for item in stack):
        top = stack[-1]
        if top.kind != kind:
            raise _entities_error(
                f"Can't find end of {_V2_NAMES.get(top.kind, top.kind)} entity "
                f"at byte offset {top.byte_offset}"
            )
        out.close(stack.pop())
    else:
        stack.append(_Open(kind, out.pos, _byte_offset(src, i)))


def _v2_link_end(src: str, i: int, stack: list[_Open], out: _Builder) -> int:
    """Handle ']' of a `[text](url)` link; returns the index after the closing ')'."""
    if not stack or stack[-1].kind != "text_link" or not src.startswith("(", i + 1):
        raise _v2_reserved("]")
    j = i + 2
    url: list[str] = []
    while j < len(src) and src[j] != ")":
        if src[j] == "\\" and j + 1 < len(src):
            j += 1
        url.append(src[j])
        j += 1
    if j >= len(src):
        raise _entities_error(f"Can't find end of a url at byte offset {_byte_offset(src, i + 1)}")
    out.close(stack.pop(), url="".join(url))
    return j + 1


def _parse_markdown_v2(src: str) -> tuple[str, list[dict[str, Any]]]:
    out = _Builder()
    stack: list[_Open] = []
    quote: _Open | None = None
    i, n = 0, len(src)
    while i < n:
        char = src[i]
        line_start = i == 0 or src[i - 1] == "\n"
        if line_start and (char == ">" or src.startswith("**>", i)):
            if quote is None:
                expandable = char == "*"
                kind = "expandable_blockquote" if expandable else "blockquote"
                quote = _Open(kind, out.pos, _byte_offset(src, i))
            i += 3 if char == "*" else 1
            continue
        if char == "\\" and i + 1 < n and 0 < ord(src[i + 1]) < 127:
            out.add(src[i + 1])
            i += 2
        elif char == "\n":
            if quote is not None and not (
                src.startswith(">", i + 1) or src.startswith("**>", i + 1)
            ):
                out.close(quote)
                quote = None
            out.add("\n")
            i += 1
        elif char == "`":
            i = _v2_code(src, i, out)
        elif char == "*":
            _v2_toggle("bold", src, i, stack, out)
            i += 1
        elif char == "_":
            if src.startswith("__", i) and not (stack and stack[-1].kind == "italic"):
                _v2_toggle("underline", src, i, stack, out)
                i += 2
            else:
                _v2_toggle("italic", src, i, stack, out)
                i += 1
        elif char == "~":
            _v2_toggle("strikethrough", src, i, stack, out)
            i += 1
        elif char == "|" and src.startswith("||", i):
            _v2_toggle("spoiler", src, i, stack, out)
            i += 2
        elif char == "[":
            stack.append(_Open("text_link", out.pos, _byte_offset(src, i)))
            i += 1
        elif char == "]":
            i = _v2_link_end(src, i, stack, out)
        elif char in _V2_RESERVED:
            raise _v2_reserved(char)
        else:
            out.add(char)
            i += 1
    if stack:
        top = stack[-1]
        raise _entities_error(
            f"Can't find end of {_V2_NAMES.get(top.kind, top.kind)} entity "
            f"at byte offset {top.byte_offset}"
        )
    if quote is not None:
        out.close(quote)
    return out.text(), out.entities


# --- legacy Markdown ----------------------------------------------------------------------

_LEGACY_KINDS = {"*": "bold", "_": "italic", "`": "code", "```": "pre"}


def _legacy_unclosed(src: str, index: int) -> ApiError:
    return _entities_error(
        f"Can't find end of the entity starting at byte offset {_byte_offset(src, index)}"
    )


def _legacy_link(src: str, i: int, out: _Builder) -> int:
    """A `[text](url)` link at src[i]; returns the index after it."""
    middle = src.find("](", i + 1)
    end = src.find(")", middle + 2) if middle >= 0 else -1
    if end < 0:
        raise _legacy_unclosed(src, i)
    item = _Open("text_link", out.pos, 0)
    out.add(src[i + 1 : middle])
    out.close(item, url=src[middle + 2 : end])
    return end + 1


def _legacy_entity(src: str, i: int, out: _Builder) -> int:
    """`*bold*`, `_italic_`, `` `code` `` or a ```pre``` block at src[i]; no nesting."""
    fence = "```" if src.startswith("```", i) else src[i]
    end = src.find(fence, i + len(fence))
    if end < 0:
        raise _legacy_unclosed(src, i)
    body = src[i + len(fence) : end]
    language = None
    if fence == "```":
        first, newline, rest = body.partition("\n")
        if newline and first.strip():
            language, body = first.strip(), rest
    item = _Open(_LEGACY_KINDS[fence], out.pos, 0)
    out.add(body)
    out.close(item, language=language)
    return end + len(fence)


def _parse_markdown(src: str) -> tuple[str, list[dict[str, Any]]]:
    out = _Builder()
    i, n = 0, len(src)
    while i < n:
        char = src[i]
        if char == "\\" and i + 1 < n and src[i + 1] in "_*`[":
            out.add(src[i + 1])
            i += 2
        elif char == "[":
            i = _legacy_link(src, i, out)
        elif char in _LEGACY_KINDS:
            i = _legacy_entity(src, i, out)
        else:
            out.add(char)
            i += 1
    return out.text(), out.entities


# --- trimming and automatic entities ------------------------------------------------------

_AUTO_PATTERNS = (
    (
        "bot_command",
        re.compile(r"(?<![\w/@.])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/])"),
    ),
    (
        "email",
        re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"),
    ),
    ("mention", re.compile(r"(?<![\w@])@[A-Za-z0-9_]{4,32}(?!\w)")),
    ("hashtag", re.compile(r"(?<![\w#])#\w*[^\W\d]\w*")),
    ("url", re.compile(r"(?<![\w@])(?:https?://|www\.)[^\s<>\"]+[^\s<>\".,;:!?)\]'}]")),
)
_NO_AUTO_INSIDE = {"code", "pre", "text_link", "url", "email"}


def auto_entities(text: str, existing: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """Entities Telegram adds itself: commands, mentions, hashtags, URLs, e-mail."""
    existing = list(existing or [])
    if not any(marker in text for marker in "/@#.:"):
        return existing
    taken = [
        (e["offset"], e["offset"] + e["length"]) for e in existing if e["type"] in _NO_AUTO_INSIDE
    ]
    found: list[dict[str, Any]] = []
    for kind, pattern in _AUTO_PATTERNS:
        for match in pattern.finditer(text):
            start = utf16_len(text[: match.start()])
            length = utf16_len(match.group(0))
            if any(start < end and begin < start + length for begin, end in taken):
                continue
            taken.append((start, start + length))
            found.append({"type": kind, "offset": start, "length": length})
    return _sorted(existing + found)


def _sorted(entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(entities, key=lambda e: (e["offset"], -e["length"]))


def _trim(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    stripped = text.strip()
    if stripped == text:
        return text, entities
    lead = utf16_len(text[: len(text) - len(text.lstrip())])
    size = utf16_len(stripped)
    kept: list[dict[str, Any]] = []
    for entity in entities:
        start = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] + entity["length"] - lead, size)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    return stripped, kept


def _checked_entities(text: str, entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    size = utf16_len(text)
    for entity in entities:
        offset, length = entity.get("offset"), entity.get("length")
        if not isinstance(entity.get("type"), str) or not isinstance(offset, int):
            raise _entities_error("can't parse MessageEntity")
        if not isinstance(length, int) or offset < 0 or length <= 0 or offset + length > size:
            raise bad_request("entity beginning/end is out of bounds")  # sic: Telegram's wording
    return _sorted(entities)


def build_text(
    text: str,
    parse_mode: str | None = None,
    entities: list[dict[str, Any]] | None = None,
) -> tuple[str, list[dict[str, Any]]]:
    """Text and entities of a message as Telegram stores it.

    Explicit `entities` win over `parse_mode`, as in the Bot API. Raises `ApiError`
    (400) for bad markup or an unknown parse mode.
    """
    if entities:
        parsed, found = text, _checked_entities(text, entities)
    elif parse_mode:
        mode = parse_mode.lower()
        if mode == "html":
            parsed, found = _parse_html(text)
        elif mode == "markdownv2":
            parsed, found = _parse_markdown_v2(text)
        elif mode == "markdown":
            parsed, found = _parse_markdown(text)
        else:
            raise bad_request(f"unsupported parse_mode {parse_mode!r}")
    else:
        parsed, found = text, []
    parsed, found = _trim(parsed, found)
    return parsed, auto_entities(parsed, found)
