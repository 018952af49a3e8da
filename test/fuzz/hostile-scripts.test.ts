import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { rmSync, writeFileSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { unzipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { expectError, registerScript, submitOk, waitFinished } from "../support/api.ts";
import { runCubqueue } from "../support/cli.ts";
import { SERVER_MODE } from "../support/runtime.ts";
import { makeTempDir } from "../support/temp-dir.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";

/**
 * Scripts run with the server's user and may replace any file in their task folder with a
 * FIFO, symlink, hard link or directory, or fill it with what no one expects. Each row is one
 * such script, run through a real server; the server must answer every call clearly, leak
 * nothing from outside the task's folders, and keep serving. Add the next hostile idea here.
 */
interface HostileCase {
  name: string;
  /** The script, run by bash (cwd: the task folder, where log.txt is). */
  script: string;
  /** What GET /log?lines=N answers. */
  log: { lines?: number; status: 200; content?: (content: string) => void; truncated?: boolean } | { status: 409; code: string };
  /** Names (as latin-1, one character per byte) every archive format of output/ must hold. */
  archived?: string[];
  /** What the archive headers must report as left out. */
  omitted?: Record<string, number> | ((omitted: Record<string, number>) => void);
  /** Extra checks while the task's files are in place (responsiveness, memory, the CLI). */
  alsoCheck?: (server: TestServer, taskId: string) => Promise<void>;
}

const MiB = 1024 * 1024;
const PASSWD_FIRST_LINE = execFileSync("head", ["-n1", "/etc/passwd"]).toString().trim();
/** Bytes that must never appear in an answer: other people's files. */
const SECRETS = [PASSWD_FIRST_LINE, "SQLite format 3"];
/**
 * How much a server may grow while four tails of a huge log run (each answer is a 1 MiB tail,
 * up to 6 MiB as JSON). Reading the log whole grows it by gigabytes. In-process the test's own
 * requests and parsing share the process, so it gets more room; Deno's heap settles higher.
 */
const TAIL_GROWTH_BOUND = (SERVER_MODE === "in-process" ? 256 : SERVER_MODE === "deno" ? 128 : 96) * MiB;
/** Deno can only name files in UTF-8, so the server on Deno cannot read such a file and says so. */
const READS_RAW_NAMES = SERVER_MODE !== "deno";

const CASES: HostileCase[] = [
  {
    name: "log.txt replaced by a FIFO",
    script: 'rm -f log.txt && mkfifo log.txt\nmkfifo "$CUBQUEUE_OUTPUT_DIR/pipe"\necho ok > "$CUBQUEUE_OUTPUT_DIR/ok.txt"\n',
    log: { status: 409, code: "log_unreadable" },
    archived: ["ok.txt"],
    omitted: { special_file: 1 },
    alsoCheck: stillServesWhileLogsOfFifoAreAsked,
  },
  {
    name: "log.txt replaced by a directory",
    script: "rm -f log.txt && mkdir log.txt && echo inside > log.txt/x\n",
    log: { status: 409, code: "log_unreadable" },
    omitted: {},
  },
  {
    name: "log.txt as a symlink to /etc/passwd",
    script: "rm -f log.txt && ln -s /etc/passwd log.txt\n",
    log: { status: 409, code: "log_unreadable" },
  },
  {
    name: "log.txt as a symlink to the base dir's database",
    script: "rm -f log.txt && ln -s ../../cubqueue.db log.txt\n",
    log: { status: 409, code: "log_unreadable" },
  },
  {
    name: "log.txt as a hard link to the base dir's database",
    script: "rm -f log.txt && ln ../../cubqueue.db log.txt\n",
    log: { status: 409, code: "log_unreadable" },
  },
  {
    name: "symlinks in output/ to /etc/passwd and to the database",
    script: 'ln -s /etc/passwd "$CUBQUEUE_OUTPUT_DIR/passwd"\nln -s ../../../cubqueue.db "$CUBQUEUE_OUTPUT_DIR/db"\necho ok > "$CUBQUEUE_OUTPUT_DIR/ok.txt"\n',
    log: { status: 200 },
    archived: ["ok.txt"],
    omitted: { symlink: 2 },
    alsoCheck: downloadWarnsOfOmitted("2 entries", "2 symlink"),
  },
  {
    name: "hard links in output/ to the database and the argument file; two links inside kept",
    script:
      'cd "$CUBQUEUE_OUTPUT_DIR"\nln ../../../cubqueue.db db\nln "$CUBQUEUE_ARG_FILE" args\necho pair > a\nmkdir sub && ln a sub/b\n',
    log: { status: 200 },
    archived: ["a", "sub/", "sub/b"],
    omitted: { hard_link_outside: 2 },
  },
  {
    name: "a file whose name is not UTF-8",
    script: 'printf "latin-1\\n" > "$CUBQUEUE_OUTPUT_DIR/$(printf \'caf\\351.txt\')"\necho ok > "$CUBQUEUE_OUTPUT_DIR/ok.txt"\n',
    log: { status: 200 },
    archived: READS_RAW_NAMES ? ["caf\xe9.txt", "ok.txt"] : ["ok.txt"],
    omitted: READS_RAW_NAMES ? {} : { name_not_utf8: 1 },
    alsoCheck: READS_RAW_NAMES ? downloadRecreatesRawName : undefined,
  },
  {
    name: "an output tree deeper than PATH_MAX",
    script:
      'cd "$CUBQUEUE_OUTPUT_DIR" && echo ok > ok.txt\npython3 -c "import os\nfor _ in range(2100):\n    os.mkdir(\'d\'); os.chdir(\'d\')\nopen(\'f\', \'w\').write(\'deep\')"\n',
    log: { status: 200 },
    omitted: (omitted) => expect(omitted.too_deep).toBeGreaterThanOrEqual(1),
    archived: ["ok.txt", "d/"],
  },
  {
    name: "a 1 GiB log that is one single line",
    // Extending the log through its own descriptor makes it sparse: 1 GiB without the writes.
    script: "truncate -s 1G /proc/self/fd/1\necho end\n",
    log: { lines: 10, status: 200, truncated: true, content: (content) => expect(content).toMatch(/\0end\n$/) },
    alsoCheck: async (server, taskId) => {
      await tailsInBoundedMemory(server, taskId, 10);
      const log = await runCubqueue(["log", "--url", server.url, "--task-id", taskId, "--lines", "10"]);
      expect(log.code, log.stderr).toBe(0);
      expect(log.stdout.endsWith("end\n")).toBe(true);
      expect(log.stderr).toMatch(/^Note: the last 10 lines of the log hold more than 1 MiB; shown are only its last 1048576 bytes \(--all prints all of it\)\.\n$/);
    },
  },
  {
    name: "a 256 MiB log of progress bars redrawn with \\r only",
    script: "yes ' 42%|####      | 42/100 [00:01<00:02, 40.0it/s]' | head -c 268435456 | tr '\\n' '\\r'\n",
    log: {
      lines: 2,
      status: 200,
      truncated: false,
      content: (content) => expect(content).toMatch(/^[^\r]*\r[^\r]*$/),
    },
    alsoCheck: (server, taskId) => tailsInBoundedMemory(server, taskId, 100_000),
  },
];

describe("hostile scripts: the server answers clearly, leaks nothing and keeps serving", () => {
  it.each(CASES)("$name", async (row) => {
    const server = await startTestServer();
    await registerScript(server, "hostile", "hostile.sh", row.script);
    const { task_id } = await submitOk(server, "hostile", { args: {} });
    const taskDir = join(server.baseDir, "tasks", task_id);
    try {
      const task = await waitFinished(server, task_id, 60_000);
      expect(task.status, task.error).toBe("succeeded");

      const lines = "lines" in row.log ? row.log.lines : undefined;
      const log = await server.request(`/api/task/${task_id}/log?lines=${lines ?? 100}`);
      if (row.log.status === 409) {
        const body = await expectError(log, 409, row.log.code);
        expect(body.error.message).toContain(task_id);
      } else {
        expect(log.status).toBe(200);
        const body = await log.json();
        expect(body.bytes).toBeLessThanOrEqual(MiB);
        if (row.log.truncated !== undefined) expect(body.truncated).toBe(row.log.truncated);
        row.log.content?.(body.content);
        for (const secret of SECRETS) expect(body.content).not.toContain(secret);
      }

      for (const format of ["tar", "tar.gz", "zip"] as const) {
        const response = await server.request(`/api/task/${task_id}/result?format=${format}`);
        expect(response.status, format).toBe(200);
        const bytes = Buffer.from(await response.arrayBuffer());
        const plain = format === "tar.gz" ? gunzipSync(bytes) : bytes;
        for (const secret of SECRETS) expect(plain.includes(secret), `${format} holds "${secret}"`).toBe(false);
        const names = archiveNames(bytes, format);
        for (const name of row.archived ?? []) expect(names, format).toContain(name);

        const omitted = parseOmitted(response.headers);
        if (typeof row.omitted === "function") row.omitted(omitted);
        else if (row.omitted !== undefined) expect(omitted, format).toEqual(row.omitted);
        expect(Number(response.headers.get("x-cubqueue-omitted"))).toBe(Object.values(omitted).reduce((a, b) => a + b, 0));
      }
      // Still serving (rows that check stopping run last).
      expect((await server.request("/api/task")).status).toBe(200);
      await row.alsoCheck?.(server, task_id);
    } finally {
      // Node's recursive rm cannot remove a tree deeper than PATH_MAX; rm -rf can.
      execFileSync("rm", ["-rf", join(taskDir, "output")]);
    }
  }, 120_000);
});

/** While four GET /log on a FIFO are asked, an upload, a download and a stop still complete. */
async function stillServesWhileLogsOfFifoAreAsked(server: TestServer, taskId: string): Promise<void> {
  const logs = Array.from({ length: 4 }, () => server.request(`/api/task/${taskId}/log`));
  const upload = submitOk(server, "hostile", { args: { note: "uploaded meanwhile" }, files: [{ name: "x.bin", content: "x".repeat(MiB) }] });
  const download = server.request(`/api/task/${taskId}/result?format=tar`).then((response) => response.arrayBuffer());
  const all = Promise.all([...logs, upload, download]);
  const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error("the server stopped answering")), 10_000));
  const [first] = (await Promise.race([all, timeout])) as Response[];
  expect(first!.status).toBe(409);

  if (server.pid !== process.pid) {
    // A server process must still end on SIGTERM (no pool thread stuck in a FIFO's open).
    process.kill(server.pid, "SIGTERM");
    const deadline = Date.now() + 15_000;
    while (isAlive(server.pid)) {
      if (Date.now() > deadline) throw new Error("the server did not stop on SIGTERM");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** Tails the log four times at once while sampling the server's memory: it must stay near the 1 MiB cap. */
async function tailsInBoundedMemory(server: TestServer, taskId: string, lines: number): Promise<void> {
  const before = await residentBytes(server.pid);
  let peak = before;
  let done = false;
  const tails = Promise.all(
    Array.from({ length: 4 }, () => server.request(`/api/task/${taskId}/log?lines=${lines}`).then((response) => response.json())),
  ).finally(() => (done = true));
  while (!done) {
    peak = Math.max(peak, await residentBytes(server.pid));
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  for (const body of await tails) expect(body.bytes).toBeLessThanOrEqual(MiB);
  expect(peak - before, `the server grew by ${Math.round((peak - before) / MiB)} MiB`).toBeLessThan(TAIL_GROWTH_BOUND);
}

/** `cubqueue download` still unpacks, and warns in one line how many entries the server left out. */
function downloadWarnsOfOmitted(count: string, reason: string) {
  return async (server: TestServer, taskId: string) => {
    const out = await makeTempDir();
    try {
      const result = await runCubqueue(["download", "--url", server.url, "--task-id", taskId, "--result", "--output-dir", out.path]);
      expect(result.code, result.stderr).toBe(0);
      const warning = result.stderr.split("\n").filter((line) => line.startsWith("Warning:"));
      expect(warning).toHaveLength(1);
      expect(warning[0]).toContain(`left ${count} of the folder out`);
      expect(warning[0]).toContain(reason);
      // Into the same folder again: the files of the first download are replaced, as --force says.
      const json = await runCubqueue(["download", "--json", "--force", "--url", server.url, "--task-id", taskId, "--result", "--output-dir", out.path]);
      expect(json.code, json.stderr).toBe(0);
      expect(JSON.parse(json.stdout).omitted).toEqual({ count: 2, reasons: { symlink: 2 } });
    } finally {
      await out.remove();
    }
  };
}

/** `cubqueue download` writes a latin-1 file name back with its exact bytes. */
async function downloadRecreatesRawName(server: TestServer, taskId: string): Promise<void> {
  const out = await makeTempDir();
  try {
    for (const format of ["tar", "tar.gz"]) {
      const dir = join(out.path, format);
      const result = await runCubqueue(["download", "--url", server.url, "--task-id", taskId, "--result", "--format", format, "--output-dir", dir]);
      expect(result.code, result.stderr).toBe(0);
      const names = (await readdir(dir, { encoding: "buffer" })).map((name) => name.toString("hex")).sort();
      expect(names).toEqual([Buffer.from("caf\xe9.txt", "latin1").toString("hex"), Buffer.from("ok.txt").toString("hex")].sort());
      expect(await readFile(Buffer.from(`${dir}/caf\xe9.txt`, "latin1"), "utf8")).toBe("latin-1\n");
    }
  } finally {
    await out.remove();
  }
}

function archiveNames(bytes: Buffer, format: "tar" | "tar.gz" | "zip"): string[] {
  // fflate reads names without the UTF-8 flag as latin-1, one character per byte.
  if (format === "zip") return Object.keys(unzipSync(bytes));
  // From a file, not stdin: Deno's execFileSync writes all of `input` before it reads any output,
  // and a listing larger than a pipe holds would then wait on itself forever.
  const archive = join(tmpdir(), `cubqueue-listing-${randomUUID()}.${format}`);
  writeFileSync(archive, bytes);
  try {
    const listing = execFileSync("tar", ["--quoting-style=literal", format === "tar" ? "-tf" : "-tzf", archive], {
      env: { ...process.env, LC_ALL: "C" },
      maxBuffer: 64 * MiB,
    });
    return listing.toString("latin1").split("\n").filter(Boolean);
  } finally {
    rmSync(archive, { force: true });
  }
}

function parseOmitted(headers: Headers): Record<string, number> {
  const reasons: Record<string, number> = {};
  for (const part of (headers.get("x-cubqueue-omitted-reasons") ?? "").split(",").filter((text) => text.trim())) {
    const [reason, count] = part.trim().split("=");
    reasons[reason!] = Number(count);
  }
  return reasons;
}

/** Read asynchronously: an in-process server shares this event loop. */
async function residentBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  return Number(status.match(/VmRSS:\s+(\d+) kB/)![1]) * 1024;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
