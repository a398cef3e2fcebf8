"""Small figures for the "How it works" accordions, drawn as inline SVG (text, no image files).

Each function takes the language and returns one ``<svg>``; the numbers in them are worked
examples, computed here rather than typed, so the picture and its caption agree.
"""

from __future__ import annotations

import html

GREY, BLUE, RED, GREEN, INK = "#c9ced6", "#3b82f6", "#ef4444", "#16a34a", "#1f2937"
FONT = 'font-family="system-ui, sans-serif"'
BOLD = 'font-weight="600"'


def _svg(width: int, height: int, body: str, title: str) -> str:
    return (
        f'<svg viewBox="0 0 {width} {height}" width="100%" style="max-width:{width}px" '
        f'role="img" aria-label="{title}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{title}</title>{body}</svg>"
    )


def _text(
    x: float, y: float, text: str, size: int = 13, anchor: str = "start", extra: str = ""
) -> str:
    """A label; ``extra`` adds attributes (a ``fill`` there replaces the ink colour)."""
    fill = "" if "fill=" in extra else f'fill="{INK}"'
    return (
        f'<text x="{x:.0f}" y="{y:.0f}" font-size="{size}" text-anchor="{anchor}" {FONT} {fill} '
        f"{extra}>{html.escape(text, quote=False)}</text>"
    )


def screening(lang: str) -> str:
    """100 people, 10 sick; the test flags 12 and catches 6: precision, recall, accuracy."""
    sick, caught, false_alarms = 10, 6, 6
    ko = lang == "ko"
    dots = []
    for i in range(100):
        x, y = 20 + (i % 20) * 16, 20 + (i // 20) * 16
        is_sick = i < sick
        flagged = i < caught or sick <= i < sick + false_alarms
        fill = RED if is_sick else GREY
        ring = f'<circle cx="{x}" cy="{y}" r="7.5" fill="none" stroke="{BLUE}" stroke-width="2"/>'
        dots.append(f'<circle cx="{x}" cy="{y}" r="5" fill="{fill}"/>' + (ring if flagged else ""))
    flagged = caught + false_alarms
    precision, recall = caught / flagged, caught / sick
    accuracy = (caught + (100 - sick - false_alarms)) / 100
    legend = [
        (RED, "아픈 사람 10명" if ko else "10 people are ill"),
        (BLUE, f"검사 양성 {flagged}명 (테두리)" if ko else f"{flagged} test positive (ringed)"),
    ]
    body = "".join(dots)
    for row, (colour, label) in enumerate(legend):
        body += f'<circle cx="360" cy="{22 + row * 20}" r="5" fill="{colour}"/>'
        body += _text(372, 26 + row * 20, label)
    lines = (
        [f"정밀도 = {caught}/{flagged} = {precision:.0%}: 양성 판정 중 실제로 아픈 비율",
         f"재현율 = {caught}/{sick} = {recall:.0%}: 아픈 사람 중 찾아낸 비율",
         f"정확도 = {accuracy:.0%}: 그래도 아픈 사람 {sick - caught}명을 놓쳤습니다"]
        if ko else
        [f"precision = {caught}/{flagged} = {precision:.0%}: of those flagged, how many are ill",
         f"recall = {caught}/{sick} = {recall:.0%}: of those ill, how many were found",
         f"accuracy = {accuracy:.0%}, yet {sick - caught} ill people were missed"]
    )  # fmt: skip
    for row, line in enumerate(lines):
        body += _text(360, 80 + row * 20, line, 12)
    title = "검사의 정밀도와 재현율" if ko else "Precision and recall of a screening test"
    return _svg(700, 135, body, title)


def unbalanced(lang: str) -> str:
    """95 negatives, 5 positives, a model that always answers "negative"."""
    ko = lang == "ko"
    n_neg, n_pos = 95, 5
    accuracy = n_neg / (n_neg + n_pos)
    # F1 of the majority class (precision 0.95, recall 1), and 0 for the minority class.
    f1_neg = 2 * accuracy / (1 + accuracy)
    macro_f1 = (f1_neg + 0.0) / 2
    bars = [
        ("정확도" if ko else "accuracy", accuracy, GREY),
        ("매크로 F1" if ko else "macro-F1", macro_f1, BLUE),
        ("긍정 재현율" if ko else "recall, positive", 0.0, RED),
    ]
    body = _text(10, 18, (
        "부정 95개, 긍정 5개인 데이터에서 항상 '부정'이라고 답하는 모델"
        if ko else "95 negative, 5 positive rows; a model that always answers 'negative'"
    ), 13, extra='font-weight="600"')  # fmt: skip
    for row, (label, value, colour) in enumerate(bars):
        y = 34 + row * 26
        body += _text(10, y + 14, label, 12)
        body += (
            f'<rect x="130" y="{y}" width="{max(value * 400, 1):.0f}" height="18" fill="{colour}"/>'
        )
        body += _text(136 + value * 400, y + 14, f"{value:.2f}", 12)
    title = (
        "불균형 데이터에서 정확도가 속이는 이유"
        if ko
        else "Why accuracy misleads on unbalanced data"
    )
    return _svg(620, 115, body, title)


def lora(lang: str, d: int = 384, r: int = 8) -> str:
    """W (d x d, frozen) + B (d x r) A (r x d), with the parameter counts."""
    ko = lang == "ko"
    full, low = d * d, 2 * d * r
    body = (
        f'<rect x="10" y="20" width="120" height="120" fill="{GREY}"/>'
        + _text(70, 85, "W", 22, "middle")
        + _text(70, 158, f"{d}×{d} · {'고정' if ko else 'frozen'}", 12, "middle")
        + _text(150, 88, "+", 24, "middle")
        + f'<rect x="175" y="20" width="12" height="120" fill="{BLUE}"/>'
        + _text(181, 158, f"B {d}×{r}", 12, "middle")
        + _text(205, 88, "×", 20, "middle")
        + f'<rect x="222" y="74" width="120" height="12" fill="{BLUE}"/>'
        + _text(282, 106, f"A {r}×{d}", 12, "middle")
        + _text(380, 50, f"{'전체 미세 조정' if ko else 'full fine-tuning'}: {full:,} "
                + ("개 학습" if ko else "trained"), 13)
        + _text(380, 74, f"LoRA (r={r}): {low:,} " + ("개 학습" if ko else "trained")
                + f" ({low / full:.1%})", 13, extra=f'fill="{BLUE}"')
        + _text(380, 98, ("W는 그대로 두고, 작은 두 행렬의 곱 BA만 학습합니다"
                          if ko else "W stays as it is; only the small product BA is learned"), 12)
        + _text(380, 120, ("추론 때는 W + BA 하나로 합칠 수 있습니다"
                           if ko else "At inference W + BA can be merged into one matrix"), 12)
    )  # fmt: skip
    return _svg(760, 170, body, "LoRA: W + BA")


def frozen_vs_full(lang: str, layers: int = 6) -> str:
    """Two stacks of layers: all trained (full) vs frozen encoder with a trained head."""
    ko = lang == "ko"
    body = ""
    for col, (title, trained) in enumerate([
        ("전체 미세 조정" if ko else "full fine-tuning", lambda i: True),
        ("고정 인코더 + 헤드" if ko else "frozen encoder + head", lambda i: i == layers),
        ("상위 층만" if ko else "top layers only", lambda i: i >= layers - 2),
    ]):  # fmt: skip
        x = 10 + col * 190
        body += _text(x + 80, 16, title, 12, "middle", 'font-weight="600"')
        for i in range(layers + 1):
            y = 24 + (layers - i) * 20
            fill = BLUE if trained(i) else GREY
            name = (
                ("분류 헤드" if ko else "head")
                if i == layers
                else f"{'층' if ko else 'layer'} {i + 1}"
            )
            body += f'<rect x="{x + 20}" y="{y}" width="120" height="16" rx="3" fill="{fill}"/>'
            body += _text(x + 80, y + 12, name, 10, "middle")
    body += f'<rect x="590" y="40" width="14" height="14" fill="{BLUE}"/>' + _text(
        610, 52, "학습" if ko else "trained", 12
    )
    body += f'<rect x="590" y="62" width="14" height="14" fill="{GREY}"/>' + _text(
        610, 74, "고정" if ko else "frozen", 12
    )
    return _svg(680, 170, body, "고정 vs 전체 미세 조정" if ko else "Frozen vs full fine-tuning")


def in_context_vs_fine_tuning(lang: str) -> str:
    """Examples in the prompt (weights unchanged) vs examples as training data (weights change)."""
    ko = lang == "ko"
    box = '<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="6" fill="{f}" stroke="#9ca3af"/>'
    body = (
        _text(10, 16, "인컨텍스트 학습" if ko else "in-context learning", 13, extra=BOLD)
        + box.format(x=10, y=26, w=220, h=58, f="#eef2ff")
        + _text(20, 46, "예시 1 → 긍정" if ko else "example 1 → positive", 12)
        + _text(20, 62, "예시 2 → 부정" if ko else "example 2 → negative", 12)
        + _text(20, 78, "새 입력 → ?" if ko else "new input → ?", 12)
        + _text(245, 60, "→", 20)
        + box.format(x=270, y=30, w=110, h=50, f=GREY)
        + _text(325, 60, "모델 (고정)" if ko else "model (frozen)", 12, "middle")
        + _text(10, 110, "미세 조정" if ko else "fine-tuning", 13, extra='font-weight="600"')
        + box.format(x=10, y=120, w=220, h=40, f="#eef2ff")
        + _text(20, 145, "예시 수천 개 → 학습" if ko else "thousands of examples → training", 12)
        + _text(245, 146, "→", 20)
        + box.format(x=270, y=120, w=110, h=40, f=BLUE)
        + _text(325, 145, "가중치가 바뀐 모델" if ko else "model, new weights", 12, "middle",
                'fill="#fff"')
        + _text(400, 60, ("예시는 프롬프트 안에만: 학습 없음, 프롬프트가 길어짐" if ko
                          else "examples live in the prompt: no training, longer prompts"), 12)
        + _text(400, 145, ("예시가 가중치에 남음: 학습 필요, 입력은 짧음"
                           if ko else "examples end up in the weights: training, short inputs"), 12)
    )  # fmt: skip
    return _svg(
        760,
        170,
        body,
        "인컨텍스트 학습 vs 미세 조정" if ko else "In-context learning vs fine-tuning",
    )


def similarity(lang: str) -> str:
    """A query and two stored questions as arrows; the cosine is the angle between them."""
    import math

    ko = lang == "ko"
    origin = (30, 150)
    arrows = [
        (0.0, "질문" if ko else "query", INK),
        (math.radians(20), "비슷한 질문 0.94" if ko else "close question 0.94", GREEN),
        (math.radians(60), "다른 질문 0.50" if ko else "other question 0.50", RED),
    ]
    body = ""
    base = math.radians(15)
    for angle, label, colour in arrows:
        a = base + angle
        x, y = origin[0] + 170 * math.cos(a), origin[1] - 170 * math.sin(a)
        body += (f'<line x1="{origin[0]}" y1="{origin[1]}" x2="{x:.0f}" y2="{y:.0f}" '
                 f'stroke="{colour}" stroke-width="3"/>')  # fmt: skip
        body += _text(x + 6, y, label, 12, extra=f'fill="{colour}"')
    notes = (
        ["점수 = 두 벡터 사이 각도의 코사인(1에 가까울수록 비슷함)",
         "e5의 점수는 대부분 0.7~1.0 사이에 몰려 있어, 절댓값보다",
         "후보끼리의 차이와 평가 세트에서의 위치가 더 많은 것을 말해 줍니다"]
        if ko else
        ["score = cosine of the angle between the two vectors (1 = same direction)",
         "e5's scores crowd between 0.7 and 1.0, so the gap between candidates",
         "and where a score falls on the evaluation set say more than its value"]
    )  # fmt: skip
    for row, line in enumerate(notes):
        body += _text(300, 60 + row * 20, line, 12)
    return _svg(760, 165, body, "임베딩 유사도 점수" if ko else "What a similarity score means")
