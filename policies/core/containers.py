"""ECS container definitions, read the way the provider reads them, for every type whose containers the rules
judge (the aws task definition, aws-native's and the awsx components' container inputs)."""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Tuple

from ..readers import gojson
from .resources import NotApplicable, Resource
from .values import is_unknown, raise_unknown


def container_definitions(res: Resource) -> Tuple[List[Dict[str, Any]], Optional[str]]:
    """Parses ``containerDefinitions`` (a JSON string, as the engine sends it, or a list) the way the provider
    does (:mod:`policies.readers.gojson`): every container is a :class:`~policies.readers.gojson.GoObject`, so
    ``c.get("privileged")`` finds ``Privileged`` too, and the last of two spellings wins.

    Returns ``(containers, error)``. Raises UnknownValueError when the whole value is unknown. ``error`` is set
    when the value is missing or malformed; the rule ``aws-ecs-taskdefinition-valid-container-definitions``
    reports that, the other container rules are then not applicable.
    """
    if res.type.startswith("awsx:"):
        return _awsx_containers(res)
    raw = res.get("containerDefinitions")
    if raw is None:
        return [], "containerDefinitions is missing"
    if isinstance(raw, str):
        try:
            raw = gojson.loads(raw)
        except (ValueError, RecursionError) as exc:
            return [], f"containerDefinitions is not valid JSON ({exc})"
    else:
        raw = gojson.view(raw)
    if not isinstance(raw, list) or not raw:
        return [], "containerDefinitions must be a non-empty JSON array of objects"
    if not all(isinstance(c, dict) for c in raw):
        return [], "containerDefinitions must be a JSON array of objects"
    return raw, None


def _awsx_containers(res: Resource) -> Tuple[List[Dict[str, Any]], Optional[str]]:
    """The containers an awsx task definition or service component is given: ``container`` (one) or
    ``containers`` (a map of name to container), at the top or under ``taskDefinitionArgs``."""
    args = res.get("taskDefinitionArgs") if "Service" in res.type else res.props
    if args is None and "Service" in res.type:
        raise NotApplicable("the service uses an existing task definition (taskDefinition), judged on its own")
    args = gojson.view(args) if isinstance(args, dict) else {}
    if is_unknown(args.get("container")) or is_unknown(args.get("containers")):
        raise_unknown(["container"])
    containers = [args["container"]] if isinstance(args.get("container"), dict) else []
    named = args.get("containers")
    if isinstance(named, dict):
        containers += [{"name": k, **v} if isinstance(v, dict) and "name" not in v else v for k, v in named.items()]
    if not containers or not all(isinstance(c, dict) for c in containers):
        return [], "the component has no container objects (container or containers)"
    return [gojson.view(c) for c in containers], None


def containers_or_skip(res: Resource) -> List[Dict[str, Any]]:
    containers, error = container_definitions(res)
    if error:
        raise NotApplicable(f"{error}; reported by aws-ecs-taskdefinition-valid-container-definitions")
    return containers


def container_label(container: Mapping[str, Any], index: int) -> str:
    name = container.get("name")
    return f"container {name!r}" if isinstance(name, str) else f"container #{index}"
