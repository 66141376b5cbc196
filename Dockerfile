# biocap runtime image. Not built on the development machines (no Docker engine there).
FROM python:3.11-slim-bookworm
WORKDIR /app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
COPY pyproject.toml README.md ./
COPY biocap ./biocap
COPY models ./models
# Editable install keeps models/ beside the package, where biocap.models looks for it.
RUN pip install --no-cache-dir -e . && useradd --system --no-create-home biocap
USER biocap
ENTRYPOINT ["biocap"]
CMD ["--help"]
