// add and wait end to end with commands started by Node's spawn (the fallback of the native spawner).
import { onNodeSpawn } from "../helpers/spawner.js";

await onNodeSpawn(() => import("./add.test.js"));
