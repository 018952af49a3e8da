import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { OPENAPI_JSON_PATH } from "../../openapi/render.ts";
import { runPython, SKIP } from "./python.ts";

/** What python/cubqueue/operations.py says, and what CubQueueClient has. */
const INTROSPECT = `
import inspect, json
from cubqueue.client import CubQueueClient
from cubqueue.operations import METHOD_FOR_OPERATION, NOT_IN_PYTHON
methods = {name: list(inspect.signature(member).parameters)[1:] for name, member in inspect.getmembers(CubQueueClient, inspect.isfunction) if not name.startswith("_")}
print(json.dumps({"mapped": METHOD_FOR_OPERATION, "absent": NOT_IN_PYTHON, "methods": methods}))
`;

describe.skipIf(SKIP)("the Python client covers the API", () => {
  it("every operation of openapi.json has a Python method, or is listed as deliberately absent (python/cubqueue/operations.py)", async () => {
    const document = JSON.parse(await readFile(new URL(`../../${OPENAPI_JSON_PATH}`, import.meta.url), "utf8"));
    const operations = Object.values(document.paths as Record<string, Record<string, { operationId: string }>>).flatMap((methods) =>
      Object.values(methods).map((operation) => operation.operationId),
    );
    const { mapped, absent, methods } = (await runPython(["-c", INTROSPECT])) as {
      mapped: Record<string, string>;
      absent: Record<string, string>;
      methods: Record<string, string[]>;
    };
    const uncovered = operations.filter((id) => !(id in mapped) && !(id in absent));
    expect(uncovered, "operations with no Python method: add one to client.py and operations.py, or say why not in NOT_IN_PYTHON").toEqual([]);
    expect(Object.keys(mapped).filter((id) => id in absent), "listed both as mapped and as absent").toEqual([]);
    expect([...Object.keys(mapped), ...Object.keys(absent)].filter((id) => !operations.includes(id)), "operations no longer in the API").toEqual([]);
    expect(Object.values(mapped).filter((method) => !(method in methods)), "mapped to methods CubQueueClient does not have").toEqual([]);
    for (const reason of Object.values(absent)) expect(reason.length, "each absence says why").toBeGreaterThan(10);
  });

  it("has the spec's methods with the spec's argument order", async () => {
    const { methods } = (await runPython(["-c", INTROSPECT])) as { methods: Record<string, string[]> };
    const first = (name: string, count: number) => methods[name]?.slice(0, count);
    expect({
      register: first("register", 3),
      list_scripts: first("list_scripts", 0),
      submit_task: first("submit_task", 3),
      list_tasks: first("list_tasks", 0),
      get_task_status: first("get_task_status", 1),
      get_task_log: first("get_task_log", 2),
      download_task_metadata: first("download_task_metadata", 2),
      download_task_result: first("download_task_result", 2),
      cancel_task: first("cancel_task", 1),
      wait_for_task: first("wait_for_task", 2),
    }).toEqual({
      register: ["name", "desc", "script_path"],
      list_scripts: [],
      submit_task: ["script_name", "arg_file", "large_files"],
      list_tasks: [],
      get_task_status: ["task_id"],
      get_task_log: ["task_id", "lines"],
      download_task_metadata: ["task_id", "output_dir"],
      download_task_result: ["task_id", "output_dir"],
      cancel_task: ["task_id"],
      wait_for_task: ["task_id", "timeout"],
    });
  });
});
