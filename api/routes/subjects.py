"""``GET / DELETE /v1/subjects/{id}``: what the service remembers of a subject's attempts."""

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request

from api.errors import ApiError
from api.routes.common import ERRORS, engine
from api.schemas import Forgotten, SubjectState

SubjectId = Annotated[str, Path(min_length=1, max_length=128)]


def build(dependencies: list) -> APIRouter:
    router = APIRouter(
        prefix="/v1/subjects", tags=["attempts"], dependencies=[Depends(d) for d in dependencies]
    )

    @router.get("/{subject}", response_model=SubjectState, responses={404: ERRORS[400]})
    async def get_subject(request: Request, subject: SubjectId) -> dict:
        """Attempts per position (quality, decision, reasons; never pixels), the best attempt,
        and the seconds before the subject is forgotten."""
        state = engine(request).book.state(subject)
        if state is None:
            raise ApiError(404, "unknown_subject", "nothing is remembered about this subject")
        return state

    @router.delete("/{subject}", response_model=Forgotten)
    async def forget_subject(request: Request, subject: SubjectId) -> dict:
        """Forget the subject now (enrolment finished or abandoned)."""
        return {"subject": subject, "forgotten": engine(request).book.forget(subject)}

    return router
