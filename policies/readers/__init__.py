"""Shared readers: how the provider and AWS read a value, in one place, so every rule sees the same thing.

* :mod:`.gojson` reads JSON the way Go's ``encoding/json`` fills a struct (the provider decodes
  ``containerDefinitions`` so): keys match case-insensitively, the last of two spellings wins.
* :mod:`.numbers` reads users, uids, ports and protocols in every form the runtime or AWS accepts.
* :mod:`.containers` gives the rules the containers of a task definition through those two readers.
"""
