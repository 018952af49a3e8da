import { describe, expect, it } from "vitest";
import { expectError, expectNothingLeft, registerScript, submit, submitOk, waitFinished } from "../support/api.ts";
import { startTestServer } from "../support/test-server.ts";

// On a Slurm server the options reach sbatch: see test/slurm/run.test.ts.
describe("a submission's slurm_options, on a server that runs tasks here", () => {
  it("are refused, saying where they would apply, and nothing of the submission is kept", async () => {
    const server = await startTestServer();
    await registerScript(server, "job", "job.sh", "#!/bin/sh\ntrue\n");
    const response = await submit(server, "job", {
      args: { input: "<file1>" },
      files: [{ name: "reads.fq", content: "acgt" }],
      fields: { slurm_options: '["--qos=long"]' },
    });
    const body = await expectError(response, 400, "slurm_options_unused");
    expect(body.error.message).toContain("--executor slurm");
    await expectNothingLeft(server);
  });

  it("that are malformed or set what CubQueue sets are a 400 naming the field and the option, whatever the executor", async () => {
    const server = await startTestServer();
    await registerScript(server, "job", "job.sh", "#!/bin/sh\ntrue\n");
    const cases: Array<[string, RegExp]> = [
      ["--qos=long", /JSON array of sbatch options/],
      ['{"qos": "long"}', /JSON array of sbatch options/],
      ["[1, 2]", /JSON array of sbatch options/],
      ['["-q long"]', /"-q long": give sbatch options in their long form/],
      ['["--output=/etc/passwd"]', /"--output=\/etc\/passwd": CubQueue sets --output itself/],
      ['["--out=x"]', /it could stand for --output/],
      ['["--hold"]', /CubQueue sets --hold itself/],
      [JSON.stringify(Array.from({ length: 33 }, () => "--exclusive")), /at most 32 sbatch options per task, not 33/],
    ];
    for (const [field, message] of cases) {
      const body = await expectError(await submit(server, "job", { args: {}, fields: { slurm_options: field } }), 400, "invalid_field");
      expect(body.error.message, field).toMatch(/^Invalid slurm_options/);
      expect(body.error.message, field).toMatch(message);
    }
    await expectNothingLeft(server);
  });

  it("empty ones are none; a task shows where it ran, and no Slurm job", async () => {
    const server = await startTestServer();
    await registerScript(server, "job", "job.sh", "#!/bin/sh\ntrue\n");
    const { task_id } = await submitOk(server, "job", { args: {}, fields: { slurm_options: "[]" } });
    const task = await waitFinished(server, task_id);
    expect(task).toMatchObject({ status: "succeeded", executor: "local", slurm_job_id: null, slurm_options: [] });
    expect(task.attempt_history[0]).toMatchObject({ executor: "local", slurm_job_id: null });
  });
});
