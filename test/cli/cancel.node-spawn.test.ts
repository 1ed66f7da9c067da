// cancel.test.ts again, with commands started by Node's spawn (the fallback of the native spawner).
import { onNodeSpawn } from "../helpers/spawner.js";

await onNodeSpawn(() => import("./cancel.test.js"));
