# biocap runtime image. Not built on the development machines (no Docker engine there).
FROM python:3.11-slim-bookworm
WORKDIR /app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
COPY pyproject.toml README.md ./
COPY biocap ./biocap
COPY api ./api
COPY models ./models
# Editable install keeps models/ beside the package, where biocap.models looks for it.
RUN pip install --no-cache-dir -e . && useradd --system --no-create-home biocap
USER biocap
EXPOSE 8000
HEALTHCHECK CMD python -c "import urllib.request as u; u.urlopen('http://127.0.0.1:8000/healthz')"
ENTRYPOINT ["biocap"]
# the capture-station service; set BIOCAP_API_KEY when the port is reachable from the LAN
CMD ["serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
