# Sourced by the project's scripts: puts the project's private tool prefix
# (Node 24 and pnpm, installed there by tooling/setup when the system lacks
# them) first on PATH. The system Node is never replaced.
X_TOOLS_PREFIX=${X_TOOLS_PREFIX:-${XDG_DATA_HOME:-$HOME/.local/share}/x-llm-tools}
export X_TOOLS_PREFIX
case ":$PATH:" in
  *":$X_TOOLS_PREFIX/bin:"*) ;;
  *) export PATH="$X_TOOLS_PREFIX/bin:$PATH" ;;
esac
export TURBO_TELEMETRY_DISABLED=1
