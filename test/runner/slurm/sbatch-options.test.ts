import { describe, expect, it } from "vitest";
import { sbatchOptionRefusal } from "../../../src/runner/slurm/sbatch-options.ts";

describe("sbatch options passed through", () => {
  it("are taken whole in their long form, with or without a value, spaces and = in the value included", () => {
    for (const option of ["--qos=long", "--mem=4G", "--exclusive", "--comment=two words", "--constraint=a&b|c", "--gres=gpu:a100:2", "--time=1-00:00:00", "--export-nothing-like-this=1"]) {
      expect(sbatchOptionRefusal(option), option).toBeUndefined();
    }
  });

  it("are refused in short form, split in two, empty, or with a line break, saying how to write them", () => {
    expect(sbatchOptionRefusal("-q long")).toMatch(/long form, as --name=value/);
    expect(sbatchOptionRefusal("-qlong")).toMatch(/long form/);
    expect(sbatchOptionRefusal("--qos long")).toMatch(/as --name or --name=value/);
    expect(sbatchOptionRefusal("qos=long")).toMatch(/as --name or --name=value/);
    expect(sbatchOptionRefusal("")).toMatch(/as --name or --name=value/);
    expect(sbatchOptionRefusal("--comment=a\nb")).toMatch(/as --name or --name=value/);
    expect(sbatchOptionRefusal(`--comment=${"x".repeat(1000)}`)).toMatch(/longer than 1000/);
  });

  it("are refused when CubQueue sets them itself, or they would run the job twice or out of sight, in any case", () => {
    for (const option of ["--output=/tmp/x", "--error=x", "--job-name=x", "--chdir=/", "--hold", "--export=NONE", "--parsable", "--wrap=true", "--array=1-3", "--requeue", "--clusters=other", "--wait", "--test-only", "--OUTPUT=x"]) {
      expect(sbatchOptionRefusal(option), option).toMatch(/^CubQueue sets --[a-z-]+ itself or does not allow it/);
    }
  });

  it("are refused when their name is a prefix sbatch would expand to one of those", () => {
    expect(sbatchOptionRefusal("--out=/tmp/x")).toMatch(/^CubQueue sets --out \(it could stand for --output\)/);
    expect(sbatchOptionRefusal("--job=x")).toMatch(/it could stand for --job-name/);
    expect(sbatchOptionRefusal("--requ")).toMatch(/it could stand for --requeue/);
    // Not a prefix of any of them: passed.
    expect(sbatchOptionRefusal("--mem-per-cpu=1G")).toBeUndefined();
  });
});
