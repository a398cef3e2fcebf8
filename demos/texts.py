"""The page's own texts (the header and the tab names), in both languages."""

from __future__ import annotations

from models.core.i18n import Text

INTRO = Text(
    "# NLP playground\n"
    "Fine-tuned language models, shown honestly: classification, prompt-engineered generation, "
    "answer ranking, and LoRA vs full fine-tuning, in Korean and English. Works offline with "
    "packaged weights; any Hugging Face Hub id or local folder works too. "
    "**Models & data** says what each tab uses.",
    "# NLP 플레이그라운드\n"
    "미세 조정한 언어 모델이 실제로 무엇을 하는지 있는 그대로 보여 줍니다: 분류, 프롬프트 기반 생성, "
    "답변 검색, LoRA와 전체 미세 조정 비교. 한국어와 영어를 지원합니다. 패키지에 포함된 가중치로 "
    "오프라인에서도 동작하며, Hugging Face Hub ID나 로컬 폴더도 쓸 수 있습니다. "
    "각 탭이 어떤 모델을 쓰는지는 **모델과 데이터** 탭에 있습니다.",
)

TAB_NAMES = {
    "classification": Text("Classification", "분류"),
    "generation": Text("Generation", "생성"),
    "ranking": Text("Answer ranking", "답변 검색"),
    "finetune": Text("Fine-tuning", "미세 조정"),
    "models": Text("Models & data", "모델과 데이터"),
}
