"""`python -m webapp [--port 8080]`: the web app on 127.0.0.1."""

from __future__ import annotations

import logging

from aiohttp import web

from knowledge.argparse_fr import FrenchArgumentParser
from webapp.app import create_app


def main() -> None:
    parser = FrenchArgumentParser(prog="python -m webapp", description="Application web")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    base = f"http://{args.host}:{args.port}"
    print(f">> Site de démonstration (widget) : {base}/", flush=True)
    print(f">> Console du personnel : {base}/console/", flush=True)
    web.run_app(create_app(), host=args.host, port=args.port, print=None)


if __name__ == "__main__":
    main()
