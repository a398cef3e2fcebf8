"""Prompt techniques: templates with variables, read from ``techniques.toml``, filled into the
chat messages a model receives (system, few-shot user / assistant turns, then the user's turn).

Users edit a technique's variables and examples in the tab, save their own for the session, and
download or upload them as a TOML or JSON file in the same shape as ``techniques.toml``.
"""

from __future__ import annotations

import functools
import json
import numbers
import string
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

from models.core import inputs
from models.core.errors import PlaygroundError
from models.core.i18n import Text

TECHNIQUES_FILE = Path(__file__).with_name("techniques.toml")
INPUT = "input"  # the variable the typed text fills
MAX_INPUT_CHARS = 20_000
MAX_VARIABLE_CHARS = 4_000
MAX_EXAMPLES = 32
MAX_TECHNIQUES = 100
OUTPUTS = ("text", "json")
# The optional fields that carry a technique's Korean and its example inputs.
TRANSLATED = ("title_ko", "description_ko", "example_en", "example_ko")

Message = dict[str, str]  # {"role": "system" | "user" | "assistant", "content": ...}


class TemplateError(PlaygroundError):
    """A template that cannot be filled: an unknown variable, a stray brace, a bad file."""


@dataclass(frozen=True)
class Technique:
    """One prompt technique: its turns as templates, their variables, optional examples.

    ``title`` and ``description`` are English, ``title_ko`` and ``description_ko`` their Korean
    (a technique without them shows its English in both languages). ``example_en`` and
    ``example_ko`` are inputs to try, suggested to a reader of English and of Korean.
    """

    key: str
    title: str
    user: str
    system: str = ""
    description: str = ""
    variables: dict[str, str] = field(default_factory=dict)
    examples: tuple[tuple[str, str], ...] = ()
    output: str = "text"
    title_ko: str = ""
    description_ko: str = ""
    example_en: str = ""
    example_ko: str = ""

    @property
    def name(self) -> Text:
        """The title in both languages."""
        return Text(self.title, self.title_ko or self.title)

    @property
    def about(self) -> Text:
        """The description in both languages."""
        return Text(self.description, self.description_ko or self.description)

    def inputs_to_try(self, lang: str) -> list[str]:
        """The example inputs, the reader's language first (empty ones left out)."""
        ordered = (self.example_ko, self.example_en) if lang == "ko" else (
            self.example_en, self.example_ko
        )  # fmt: skip
        return [text for text in ordered if text]

    def fields(self) -> list[str]:
        """The ``{names}`` the templates use, in order of appearance.

        Raises:
            TemplateError: a brace that opens no variable (write ``{{`` for a literal one).
        """
        names: list[str] = []
        for template in (self.system, self.user):
            try:
                parsed = list(string.Formatter().parse(template))
            except ValueError as err:
                raise TemplateError(
                    Text(
                        "The template of '{title}' has a stray brace ({err}); write {{{{ or }}}} "
                        "for a literal one.",
                        "'{title}' 템플릿에 짝이 맞지 않는 중괄호가 있습니다({err}). 중괄호를 "
                        "글자로 쓰려면 {{{{ 또는 }}}}로 두 번 쓰세요.",
                        title=self.name,
                        err=str(err),
                    )
                ) from err
            for _, name, spec, conversion in parsed:
                if name is None:
                    continue
                if not name.isidentifier() or spec or conversion:
                    raise TemplateError(
                        Text(
                            "'{{{name}}}' in '{title}' is not a plain variable name; write "
                            "{{{{ and }}}} for literal braces.",
                            "'{title}'의 '{{{name}}}'은(는) 올바른 변수 이름이 아닙니다. 중괄호를 "
                            "글자로 쓰려면 {{{{와 }}}}로 쓰세요.",
                            name=name,
                            title=self.name,
                        )
                    )
                if name not in names:
                    names.append(name)
        return names

    def check(self) -> None:
        """Every variable the templates use is the input or has a value; the output is known."""
        unknown = [n for n in self.fields() if n != INPUT and n not in self.variables]
        if unknown:
            raise TemplateError(
                Text(
                    "The template of '{title}' uses {names}, which {which}; its variables are: "
                    "{known} (and {{input}}).",
                    "'{title}' 템플릿이 쓰는 {names}은(는) 변수가 아닙니다. 변수는 {known}"
                    "(그리고 {{input}})입니다.",
                    title=self.name,
                    names=", ".join("{" + n + "}" for n in unknown),
                    which="is not a variable" if len(unknown) == 1 else "are not variables",
                    known=", ".join(sorted(self.variables)) or Text("none", "없음"),
                )
            )
        if INPUT not in self.fields():
            raise TemplateError(
                Text(
                    "The template of '{title}' never uses {{input}}.",
                    "'{title}' 템플릿에 {{input}}이 없습니다.",
                    title=self.name,
                )
            )
        if self.output not in OUTPUTS:
            raise TemplateError(
                Text(
                    "output must be one of {choices} (got {got!r}).",
                    "output 값은 {choices} 중 하나여야 합니다(받은 값: {got!r}).",
                    choices=", ".join(OUTPUTS),
                    got=self.output,
                )
            )

    def messages(self, text: str) -> list[Message]:
        """The chat messages for ``text``: system, examples as earlier turns, then the input.

        Raises:
            TemplateError: the template cannot be filled.
            PlaygroundError: empty or oversized input.
        """
        text = check_input(text)
        self.check()
        values = {**self.variables, INPUT: text}
        out: list[Message] = []
        if self.system.strip():
            out.append({"role": "system", "content": self.system.format_map(values).strip()})
        for example_input, example_output in self.examples:
            example = {**values, INPUT: example_input}
            out.append({"role": "user", "content": self.user.format_map(example).strip()})
            out.append({"role": "assistant", "content": example_output})
        out.append({"role": "user", "content": self.user.format_map(values).strip()})
        return out

    def with_edits(
        self, variables: dict[str, str] | None = None,
        examples: list[tuple[str, str]] | None = None,
    ) -> Technique:  # fmt: skip
        """A copy with the tab's edits: variable values and the examples table (checked)."""
        variables = dict(self.variables if variables is None else variables)
        for name, value in variables.items():
            where = Text("The variable {name}", "변수 {name}", name=inputs.clip(str(name), 40))
            inputs.text(value, where, allow_empty=True, max_chars=MAX_VARIABLE_CHARS)
        pairs = tuple(self.examples if examples is None else clean_examples(examples))
        return replace(self, variables=variables, examples=pairs)


def check_input(text: object) -> str:
    """The typed input, stripped; empty, oversized, non-text or control characters refused."""
    if text is None or (isinstance(text, str) and not text.strip()):
        raise PlaygroundError(
            Text("Type some input text first.", "먼저 입력 텍스트를 적어 주세요.")
        )
    if isinstance(text, str) and len(text) > MAX_INPUT_CHARS:
        raise PlaygroundError(
            Text(
                "The input is {n:,} characters long; this tab takes up to {limit:,}.",
                "입력이 {n:,}자입니다. 이 탭은 {limit:,}자까지 받습니다.",
                n=len(text),
                limit=MAX_INPUT_CHARS,
            )
        )
    return inputs.text(text, Text("The input", "입력"), max_chars=MAX_INPUT_CHARS).strip()


def _cell(value: object, where: Text) -> str:
    """One cell of the examples table as text ("" when empty); numbers are written out."""
    if value is None or (isinstance(value, float) and value != value):  # None, NaN: empty
        return ""
    if isinstance(value, numbers.Number):  # a table cell the browser sent as a number
        value = str(value)
    return inputs.text(value, where, allow_empty=True, max_chars=MAX_VARIABLE_CHARS).strip()


def clean_examples(rows: object) -> list[tuple[str, str]]:
    """Examples from a table: rows with both cells, stripped; at most ``MAX_EXAMPLES``.

    Raises:
        TemplateError: not a table of rows; a cell that is not text (or too long); too many.
    """
    if rows is None:
        return []
    if not isinstance(rows, list | tuple):
        raise TemplateError(
            Text("The examples must be a table: rows of input and output.",
                 "예시는 입력과 출력으로 된 행의 표여야 합니다.")
        )  # fmt: skip
    pairs = []
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, list | tuple):
            raise TemplateError(
                Text("Example {n} must be a row: an input and an output.",
                     "예시 {n}은(는) 입력과 출력으로 된 한 행이어야 합니다.", n=number)
            )  # fmt: skip
        cells = [_cell(c, Text("Example {n}", "예시 {n}", n=number)) for c in row[:2]]
        if len(cells) == 2 and all(cells) and cells != ["nan", "nan"]:
            pairs.append((cells[0], cells[1]))
        if len(pairs) > MAX_EXAMPLES:  # stop reading a huge table at the first one too many
            raise TemplateError(
                Text("Use at most {n} examples.", "예시는 최대 {n}개까지 쓸 수 있습니다.",
                     n=MAX_EXAMPLES)
            )  # fmt: skip
    return pairs


def _technique(key: str, data: object) -> Technique:
    if not isinstance(data, dict):
        raise TemplateError(
            Text("'{key}' must be a table with at least title and user.",
                 "'{key}'은(는) 적어도 title과 user가 있는 표여야 합니다.", key=key)
        )  # fmt: skip
    try:
        technique = Technique(
            key=key, title=str(data.get("title") or key), user=str(data["user"]),
            system=str(data.get("system", "")), description=str(data.get("description", "")),
            variables={str(k): str(v) for k, v in dict(data.get("variables", {})).items()},
            examples=tuple(clean_examples(list(data.get("examples", [])))),
            output=str(data.get("output", "text")),
            **{name: str(data.get(name, "")) for name in TRANSLATED},
        )  # fmt: skip
    except (KeyError, TypeError, ValueError) as err:
        raise TemplateError(
            Text(
                "'{key}' is missing or mistypes a field ({err}).",
                "'{key}'에 빠졌거나 형식이 틀린 항목이 있습니다({err}).",
                key=key,
                err=str(err),
            )
        ) from err
    technique.check()
    return technique


def parse_techniques(text: str) -> dict[str, Technique]:
    """Techniques from the text of a TOML or JSON file shaped like ``techniques.toml``.

    Raises:
        TemplateError: not TOML / JSON, too many techniques, or a technique that does not check.
    """
    try:
        data = json.loads(text) if text.lstrip().startswith("{") else tomllib.loads(text)
    except (ValueError, tomllib.TOMLDecodeError) as err:
        raise TemplateError(
            Text("The file is neither TOML nor JSON: {why}", "파일이 TOML도 JSON도 아닙니다: {why}",
                 why=inputs.clip(str(err), 200))
        ) from err  # fmt: skip
    except RecursionError:
        raise TemplateError(
            Text("The file is neither TOML nor JSON: it is nested too deeply.",
                 "파일이 TOML도 JSON도 아닙니다: 중첩이 너무 깊습니다.")
        ) from None  # fmt: skip
    if not isinstance(data, dict) or not data:
        raise TemplateError(Text("The file holds no technique.", "파일에 기법이 하나도 없습니다."))
    if len(data) > MAX_TECHNIQUES:
        raise TemplateError(
            Text("A file holds at most {n} techniques.",
                 "파일 하나에는 기법을 최대 {n}개까지 담을 수 있습니다.", n=MAX_TECHNIQUES)
        )  # fmt: skip
    return {str(key): _technique(str(key), value) for key, value in data.items()}


@functools.cache
def _read_techniques(path: Path) -> dict[str, Technique]:
    return parse_techniques(path.read_text(encoding="utf-8"))


def load_techniques(path: Path = TECHNIQUES_FILE) -> dict[str, Technique]:
    """The built-in techniques (``techniques.toml``, read once; a fresh dict each call)."""
    return dict(_read_techniques(path))


def _toml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string


def dump_techniques(techniques: dict[str, Technique]) -> str:
    """TOML text that ``parse_techniques`` reads back to the same techniques."""
    parts = []
    for key, t in techniques.items():
        lines = [f"[{_toml_string(key)}]", f"title = {_toml_string(t.title)}"]
        if t.description:
            lines.append(f"description = {_toml_string(t.description)}")
        lines += [f"{name} = {_toml_string(getattr(t, name))}" for name in TRANSLATED
                  if getattr(t, name)]  # fmt: skip
        lines += [f"system = {_toml_string(t.system)}", f"user = {_toml_string(t.user)}"]
        if t.variables:
            inner = ", ".join(
                f"{_toml_string(k)} = {_toml_string(v)}" for k, v in t.variables.items()
            )
            lines.append(f"variables = {{ {inner} }}")
        if t.examples:
            rows = ",\n".join(f"  [{_toml_string(i)}, {_toml_string(o)}]" for i, o in t.examples)
            lines.append(f"examples = [\n{rows},\n]")
        if t.output != "text":
            lines.append(f"output = {_toml_string(t.output)}")
        parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"
