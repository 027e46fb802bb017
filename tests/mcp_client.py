"""Drives `traffic-engineer mcp` with the official MCP Python SDK, a client not written here.

Usage: mcp_client.py BINARY ROOT REQUEST_JSON
Connects over stdio, initializes, lists the tools, calls `generate` with the request and prints
one JSON object: {"server": ..., "tools": [...], "yaml": ..., "is_error": ...}. Exit 3 when the
`mcp` package is missing, so the Rust test can say it skipped.
"""

import asyncio
import json
import sys

try:
    from mcp import ClientSession, StdioServerParameters
    from mcp.client.stdio import stdio_client
except ImportError as e:
    print(f"the mcp package is not installed: {e}", file=sys.stderr)
    sys.exit(3)


async def main(binary: str, root: str, request: dict) -> dict:
    params = StdioServerParameters(command=binary, args=["mcp", "--root", root])
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            init = await session.initialize()
            tools = await session.list_tools()
            # The SDK validates structuredContent against the tool's outputSchema here.
            result = await session.call_tool("generate", request)
            return {
                "server": init.server_info.name,
                "instructions": bool(init.instructions),
                "tools": sorted(t.name for t in tools.tools),
                "is_error": bool(result.is_error),
                "yaml": (result.structured_content or {}).get("yaml"),
                "text": [c.text for c in result.content if getattr(c, "text", None)],
            }


if __name__ == "__main__":
    binary, root, request = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    print(json.dumps(asyncio.run(main(binary, root, request))))
