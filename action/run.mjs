/* global process */
// Entry point of the composite action's run step (action.yml): `node "$GITHUB_ACTION_PATH/action/run.mjs"`.
import { main } from "./drgitops-action.mjs";

process.exitCode = await main(process.env);
