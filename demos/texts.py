"""The page's own texts (the header and the tab names), in both languages."""

from __future__ import annotations

from models.core.i18n import Text

INTRO = Text(
    "## NLP playground\n"
    "Fine-tuned language models, shown honestly: Korean and English, offline with packaged "
    "weights or with any Hugging Face Hub model.",
    "## NLP 플레이그라운드\n"
    "미세 조정한 언어 모델이 하는 일을 있는 그대로 보여 줍니다. 한국어와 영어를 지원하며,"
    " 패키지에 담긴 "
    "가중치로 오프라인에서, 또는 Hugging Face Hub의 모델로 동작합니다.",
)

TAB_NAMES = {
    "classification": Text("Classification", "분류"),
    "generation": Text("Generation", "생성"),
    "ranking": Text("Answer ranking", "답변 검색"),
    "finetune": Text("Fine-tuning", "미세 조정"),
    "models": Text("Models & data", "모델과 데이터"),
}
