"""Settings read from the environment, then from ``.env`` in the working directory."""

from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    # A SQLAlchemy URL; percent-encode special characters in the password.
    database_url: str


@lru_cache
def get_settings() -> Settings:
    return Settings()
