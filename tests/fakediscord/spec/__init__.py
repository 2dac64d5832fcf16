"""Conformance checks for the fake Discord: every REST request and response against Discord's
OpenAPI description (``openapi.json``), every gateway payload against schemas written from the
developer docs (``gateway_schemas.py``), and the gateway's opcode flow. See README.md."""

from .violations import Conformance, ConformanceError, Violation

__all__ = ["Conformance", "ConformanceError", "Violation"]
