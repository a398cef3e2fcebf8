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

TECHNIQUES_FILE = Path(__file__).with_name("techniques.toml")
INPUT = "input"  # the variable the typed text fills
MAX_INPUT_CHARS = 20_000
MAX_VARIABLE_CHARS = 4_000
MAX_EXAMPLES = 32
MAX_TECHNIQUES = 100
OUTPUTS = ("text", "json")

Message = dict[str, str]  # {"role": "system" | "user" | "assistant", "content": ...}


class TemplateError(PlaygroundError):
    """A template that cannot be filled: an unknown variable, a stray brace, a bad file."""


@dataclass(frozen=True)
class Technique:
    """One prompt technique: its turns as templates, their variables, optional examples."""

    key: str
    title: str
    user: str
    system: str = ""
    description: str = ""
    variables: dict[str, str] = field(default_factory=dict)
    examples: tuple[tuple[str, str], ...] = ()
    output: str = "text"

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
                    f"The template of '{self.title}' has a stray brace ({err}); write {{{{ or "
                    "}} for a literal one."
                ) from err
            for _, name, spec, conversion in parsed:
                if name is None:
                    continue
                if not name.isidentifier() or spec or conversion:
                    raise TemplateError(
                        f"'{{{name}}}' in '{self.title}' is not a plain variable name; write "
                        "{{ and }} for literal braces."
                    )
                if name not in names:
                    names.append(name)
        return names

    def check(self) -> None:
        """Every variable the templates use is the input or has a value; the output is known."""
        unknown = [n for n in self.fields() if n != INPUT and n not in self.variables]
        if unknown:
            raise TemplateError(
                f"The template of '{self.title}' uses {', '.join('{' + n + '}' for n in unknown)}, "
                f"which {'is not a variable' if len(unknown) == 1 else 'are not variables'}; "
                f"its variables are: {', '.join(sorted(self.variables)) or 'none'} (and {{input}})."
            )
        if INPUT not in self.fields():
            raise TemplateError(f"The template of '{self.title}' never uses {{input}}.")
        if self.output not in OUTPUTS:
            raise TemplateError(
                f"output must be one of {', '.join(OUTPUTS)} (got {self.output!r})."
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
            where = f"The variable {inputs.clip(str(name), 40)}"
            inputs.text(value, where, allow_empty=True, max_chars=MAX_VARIABLE_CHARS)
        pairs = tuple(self.examples if examples is None else clean_examples(examples))
        return replace(self, variables=variables, examples=pairs)


def check_input(text: object) -> str:
    """The typed input, stripped; empty, oversized, non-text or control characters refused."""
    if text is None or (isinstance(text, str) and not text.strip()):
        raise PlaygroundError("Type some input text first.")
    if isinstance(text, str) and len(text) > MAX_INPUT_CHARS:
        raise PlaygroundError(
            f"The input is {len(text):,} characters long; this tab takes up to {MAX_INPUT_CHARS:,}."
        )
    return inputs.text(text, "The input", max_chars=MAX_INPUT_CHARS).strip()


def _cell(value: object, where: str) -> str:
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
        raise TemplateError("The examples must be a table: rows of input and output.")
    pairs = []
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, list | tuple):
            raise TemplateError(f"Example {number} must be a row: an input and an output.")
        cells = [_cell(c, f"Example {number}") for c in row[:2]]
        if len(cells) == 2 and all(cells) and cells != ["nan", "nan"]:
            pairs.append((cells[0], cells[1]))
        if len(pairs) > MAX_EXAMPLES:  # stop reading a huge table at the first one too many
            raise TemplateError(f"Use at most {MAX_EXAMPLES} examples.")
    return pairs


def _technique(key: str, data: object) -> Technique:
    if not isinstance(data, dict):
        raise TemplateError(f"'{key}' must be a table with at least title and user.")
    try:
        technique = Technique(
            key=key, title=str(data.get("title") or key), user=str(data["user"]),
            system=str(data.get("system", "")), description=str(data.get("description", "")),
            variables={str(k): str(v) for k, v in dict(data.get("variables", {})).items()},
            examples=tuple(clean_examples(list(data.get("examples", [])))),
            output=str(data.get("output", "text")),
        )  # fmt: skip
    except (KeyError, TypeError, ValueError) as err:
        raise TemplateError(f"'{key}' is missing or mistypes a field ({err}).") from err
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
            f"The file is neither TOML nor JSON: {inputs.clip(str(err), 200)}"
        ) from err
    except RecursionError:
        raise TemplateError("The file is neither TOML nor JSON: it is nested too deeply.") from None
    if not isinstance(data, dict) or not data:
        raise TemplateError("The file holds no technique.")
    if len(data) > MAX_TECHNIQUES:
        raise TemplateError(f"A file holds at most {MAX_TECHNIQUES} techniques.")
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
