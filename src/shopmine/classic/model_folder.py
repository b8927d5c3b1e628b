"""Where a classic run keeps its fitted model: the registry folder inside the run's output folder,
and the model's name in it (shared by saving and loading)."""

MODEL_FOLDER = "model"
MODEL_NAME = "classic"
