"""The Fine-tuning tab's words, in English and Korean: labels, one-line hints, messages."""

from __future__ import annotations

from models.core.i18n import Text


class T:
    """Static texts of the tab, by what they label."""

    intro = Text(
        "Train several fine-tuning methods on **the same rows with the same seed**, watch their "
        "loss curves, and compare what each costs (trainable parameters, time, memory, checkpoint "
        "size) and what it buys (accuracy, macro-F1). Saved models appear in the Classification "
        "tab. One training runs at a time on this server.",
        "여러 미세 조정 방법을 **같은 행, 같은 시드로** 학습하고 손실 곡선을 지켜보며, 각 방법의 "
        "비용(학습 파라미터, 시간, 메모리, 체크포인트 크기)과 얻는 것(정확도, 매크로 F1)을 "
        "비교합니다. 저장된 모델은 분류 탭에 나타납니다. 이 서버에서는 학습이 한 번에 하나만 "
        "진행됩니다.",
    )
    not_offered = Text(" Not offered here: {what}.", " 여기서 쓸 수 없는 방법: {what}.")
    # data
    task = Text("Task", "작업")
    dataset = Text("Dataset", "데이터셋")
    upload = Text("Labelled CSV / TSV / JSONL", "레이블이 있는 CSV / TSV / JSONL")
    text_column = Text("Text column", "텍스트 열")
    pair_column = Text("Second text (NLI), optional", "두 번째 텍스트(NLI), 선택")
    label_column = Text("Label column", "레이블 열")
    upload_first = Text(
        "Upload a labelled file and map its columns.",
        "레이블이 있는 파일을 올리고 열을 지정하세요.",
    )
    validation = Text(
        "{about} Validation: {n:,} rows (evaluation rows come from here; the test split is "
        "never trained or tuned on).",
        "{about} 검증: {n:,}행(평가 행은 여기서 뽑습니다. 테스트 분할로는 학습도 조정도 하지 "
        "않습니다).",
    )
    # model and methods
    base = Text("Base encoder", "기반 인코더")
    base_info = Text(
        "A packaged model, a local folder, or a Hugging Face Hub id",
        "packaged 모델, 로컬 폴더 또는 Hugging Face Hub ID",
    )
    methods = Text("Methods to compare", "비교할 방법")
    methods_info = Text(
        "Each is trained on the same rows with the same seed, one after another",
        "모두 같은 행, 같은 시드로 차례로 학습합니다",
    )
    # sizes
    train_rows = Text("Training rows", "학습 행 수")
    train_rows_info = Text(
        "Rows sampled (stratified) from the training split: more rows, better and slower",
        "학습 분할에서 층화 추출하는 행 수: 많을수록 좋아지지만 느려집니다",
    )
    eval_rows = Text("Evaluation rows", "평가 행 수")
    eval_rows_info = Text(
        "Rows from the validation split that score every method; never trained on",
        "모든 방법을 채점하는 검증 분할의 행 수: 학습에는 쓰지 않습니다",
    )
    epochs = Text("Epochs", "에폭")
    epochs_info = Text(
        "Passes over the training rows; 0.5 steps: half an epoch",
        "학습 행을 몇 번 도는지: 0.5 단위로 정할 수 있습니다",
    )
    batch = Text("Batch size", "배치 크기")
    batch_info = Text(
        "Rows per optimisation step: larger batches take fewer, smoother steps",
        "최적화 한 스텝의 행 수: 크면 스텝이 적고 덜 흔들립니다",
    )
    budget = Text("Time budget (min, 0 = off)", "시간 예산(분, 0 = 끔)")
    budget_info = Text(
        "Chooses rows, epochs and max length to finish in about this time",
        "이 시간 안에 끝나도록 행 수, 에폭, 최대 길이를 정합니다",
    )
    # learning rates, schedule, length, seed
    lr = Text("Learning rate: {m}", "학습률: {m}")
    lr_info = Text(
        "Default {lr:g}: adapters and heads want a larger rate than full fine-tuning",
        "기본값 {lr:g}: 어댑터와 헤드는 전체 미세 조정보다 큰 학습률이 맞습니다",
    )
    more = Text("Learning rates, schedule, length, seed", "학습률, 스케줄, 길이, 시드")
    probe_c = Text("Probe: C (inverse regularisation)", "프로브: C(규제의 역수)")
    probe_c_info = Text(
        "For sentence embeddings + logistic regression: larger C, weaker regularisation",
        "문장 임베딩 + 로지스틱 회귀용: C가 클수록 규제가 약합니다",
    )
    top = Text("Top layers: how many to train", "상위 층: 학습할 층 수")
    top_info = Text(
        "For 'Top layers, frozen bottom cached': the rest stay frozen",
        "'상위 층만 학습(하위 층 캐시)'용: 나머지 층은 고정됩니다",
    )
    warmup = Text("Warm-up (share of steps)", "워밍업(스텝 비율)")
    warmup_info = Text(
        "The learning rate rises from 0 over this share of the steps, then follows the schedule",
        "학습률이 전체 스텝 중 이 비율 동안 0에서 올라간 뒤 스케줄을 따릅니다",
    )
    scheduler = Text("Scheduler", "스케줄러")
    scheduler_info = Text(
        "How the learning rate changes after the warm-up", "워밍업 뒤 학습률이 바뀌는 방식"
    )
    max_length = Text("Max length (tokens)", "최대 길이(토큰)")
    max_length_info = Text(
        "Longer rows are cut: shorter is faster, but may lose the end of long texts",
        "더 긴 행은 잘립니다: 짧을수록 빠르지만 긴 글의 끝을 잃을 수 있습니다",
    )
    seed = Text("Seed", "시드")
    seed_info = Text(
        "One seed for sampling, initialisation and dropout: same seed, same result",
        "표본 추출, 초기화, 드롭아웃에 쓰는 시드: 같은 시드면 같은 결과가 나옵니다",
    )
    # LoRA
    lora = Text("LoRA settings", "LoRA 설정")
    rank = Text("Rank r", "랭크 r")
    rank_info = Text(
        "Size of the low-rank update BA: higher learns more, with more parameters",
        "저랭크 업데이트 BA의 크기: 높을수록 더 배우지만 파라미터가 늘어납니다",
    )
    alpha = Text("Alpha", "알파")
    alpha_info = Text(
        "Scale of the update (alpha / r): like a learning-rate multiplier for LoRA",
        "업데이트의 배율(알파 / r): LoRA의 학습률 배수와 비슷합니다",
    )
    dropout = Text("Dropout", "드롭아웃")
    dropout_info = Text(
        "Share of the LoRA branch's inputs dropped while training, against over-fitting",
        "과적합을 막으려고 학습 중 LoRA 입력에서 버리는 비율",
    )
    lora_top = Text("Adapt only the top N layers (0 = all)", "상위 N개 층에만 적용(0 = 전체)")
    lora_top_info = Text(
        "Backpropagation stops below them: faster, usually a little less accurate",
        "역전파가 그 아래로 내려가지 않습니다: 빠르지만 보통 정확도가 조금 낮습니다",
    )
    targets = Text("Target modules", "대상 모듈")
    targets_info = Text(
        "Comma-separated module names; empty: peft's default, e.g. query,value",
        "쉼표로 구분한 모듈 이름. 비우면 peft 기본값(어텐션의 쿼리와 값 행렬)을 씁니다",
    )
    merge = Text("Also save LoRA merged into the base model", "LoRA를 기반 모델에 합친 것도 저장")
    merge_info = Text(
        "A plain model that loads without peft; costs the base model's size on disk",
        "peft 없이 읽히는 일반 모델입니다. 기반 모델 크기만큼 디스크를 씁니다",
    )
    all_rows = Text("Fitted methods use every training row", "적합 방식의 방법은 학습 행 전부 사용")
    all_rows_info = Text(
        "The probe and n-grams fit in seconds; the other methods keep the rows above (or the "
        "budget's)",
        "프로브와 n-그램은 몇 초면 적합합니다. 다른 방법은 위의 행 수(또는 예산의 행 수)를 씁니다",
    )
    ensemble = Text("Also evaluate and save an ensemble", "앙상블도 평가하고 저장")
    ensemble_info = Text(
        "The finished methods' probabilities averaged, weighted on validation rows the evaluation "
        "never sees; usable in the Classification tab",
        "끝난 방법들의 확률을 평균합니다. 가중치는 평가에 쓰지 않는 검증 행에서 고르며, 분류 "
        "탭에서 쓸 수 있습니다",
    )
    # buttons and results
    train = Text("Train", "학습")
    stop = Text("Stop", "멈추기")
    ready = Text("Choose settings and press **Train**.", "설정을 고르고 **학습**을 누르세요.")
    estimates = Text(
        "Estimate before training (parameter counts + a short calibration)",
        "학습 전 추정(파라미터 수 + 짧은 보정)",
    )
    curves = Text("Train and evaluation loss", "학습 손실과 평가 손실")
    epoch_axis = Text("epoch", "에폭")
    loss_axis = Text("loss", "손실")
    series_axis = Text("series", "계열")
    table = Text(
        "Measured, per method (key columns first; scroll the table for the rest)",
        "방법별 측정값(핵심 열이 먼저, 나머지는 표를 옆으로 넘겨 보세요)",
    )
    past = Text("Past runs", "지난 학습")
    run = Text("Run", "학습")
    refresh = Text("Refresh", "새로 고침")
    show = Text("Show this run", "이 학습 보기")
    details = Text("Details: run id, folder, versions", "자세히: 학습 ID, 폴더, 버전")
    # sweep
    sweep = Text("Batch size x learning rate sweep", "배치 크기 x 학습률 스윕")
    sweep_intro = Text(
        "Batch size and learning rate interact: bigger batches take fewer, less noisy steps per "
        "epoch and usually need a larger learning rate. Train one method per cell on a small "
        "subset (same rows and seed) and see where accuracy is high.",
        "배치 크기와 학습률은 서로 영향을 줍니다: 배치가 크면 에폭당 스텝이 적고 덜 흔들리므로 "
        "보통 더 큰 학습률이 필요합니다. 작은 부분 집합(같은 행, 같은 시드)에서 칸마다 한 방법을 "
        "학습해 정확도가 높은 곳을 찾아보세요.",
    )
    method = Text("Method", "방법")
    method_info = Text("Trained once per cell", "칸마다 한 번씩 학습합니다")
    batches = Text("Batch sizes", "배치 크기")
    batches_info = Text("Comma-separated, e.g. 8, 16, 32", "쉼표로 구분, 예: 8, 16, 32")
    rates = Text("Learning rates", "학습률")
    rates_info = Text("Comma-separated, e.g. 5e-4, 2e-3", "쉼표로 구분, 예: 5e-4, 2e-3")
    cell_rows = Text("Training rows per cell", "칸마다 학습 행 수")
    cell_rows_info = Text(
        "Each cell trains on the same rows; fewer rows, faster sweep",
        "모든 칸이 같은 행으로 학습합니다. 행이 적을수록 빠릅니다",
    )
    run_sweep = Text("Run sweep", "스윕 실행")
    stop_sweep = Text("Stop sweep", "스윕 멈추기")
    # messages
    started = Text("Started: {what}", "시작했습니다: {what}")
    yours = Text(
        "Your run ({what}) is training; its progress follows. Press **Stop** to end it.",
        "내가 시작한 학습({what})이 진행 중입니다. 진행 상황을 이어서 보여 줍니다. 끝내려면 "
        "**멈추기**를 누르세요.",
    )
    nothing_yours = Text("Nothing of yours is training.", "내가 시작한 학습이 없습니다.")
    stopping = Text(
        "Stopping after the current step; finished methods are kept.",
        "현재 스텝 뒤에 멈춥니다. 끝난 방법은 남겨 둡니다.",
    )
    done = Text("**Done.** {name}.", "**완료.** {name}.")
    stopped = Text("**Stopped.** {name}.", "**멈췄습니다.** {name}.")
    time_limit = Text(
        " It reached this server's time limit for a run.",
        " 이 서버의 학습 시간 제한에 닿았습니다.",
    )
    failed = Text("{m} failed: {e}", "{m} 실패: {e}")
    shown_run = Text(
        "{name} ({status}); {rows:,} training rows, seed {seed}. Every setting above is now this "
        "run's.",
        "{name}({status}); 학습 행 {rows:,}개, 시드 {seed}. 위의 모든 설정을 이 학습의 값으로 "
        "바꿨습니다.",
    )
    upload_again = Text(
        " Upload its file again to train it once more.",
        " 다시 학습하려면 그 파일을 다시 올리세요.",
    )
    sweep_done = Text("**Sweep {status}.**{errors}", "**스윕 {status}.**{errors}")
    bad_grid = Text(
        "Write batch sizes and learning rates as comma-separated numbers.",
        "배치 크기와 학습률은 쉼표로 구분한 숫자로 쓰세요.",
    )
    accuracy_title = Text("{m}: accuracy {a:.3f}", "{m}: 정확도 {a:.3f}")
    confusion_axes = Text("true \\ predicted", "정답 \\ 예측")
    no_method = Text("No finished method yet.", "아직 끝난 방법이 없습니다.")
    interrupted = Text(
        "⚠️ **Interrupted**: the server stopped during this run. Finished and kept: {kept}. "
        "Lost: {lost}.\n\n",
        "⚠️ **중단됨**: 이 학습 도중 서버가 멈췄습니다. 끝나서 남은 것: {kept}. 잃은 것: "
        "{lost}.\n\n",
    )
    none = Text("none", "없음")


def fill(text: Text, **params: object) -> Text:
    """One of the templates above with its parameters: ``fill(T.started, what=...)``."""
    return Text(text.en, text.ko, **params)
