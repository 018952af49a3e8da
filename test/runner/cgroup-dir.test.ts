import { describe, expect, it } from "vitest";
import { cgroupDir } from "../../src/runner/containment.ts";

const HYBRID = `4:memory:/some/job
0::/
31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
`;

describe("the cgroup2 directory of a process", () => {
  it.each([
    ["a hybrid machine, root cgroup (cgroup v1 controllers beside cgroup2)", HYBRID, "/sys/fs/cgroup/unified"],
    [
      "a systemd machine, a user's service",
      "0::/user.slice/user-1000.slice/user@1000.service/app.slice/cubqueue.service\n25 1 0:22 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n",
      "/sys/fs/cgroup/user.slice/user-1000.slice/user@1000.service/app.slice/cubqueue.service",
    ],
    [
      "a mount that shows only a subtree",
      "0::/docker/abc/inner\n25 1 0:22 /docker/abc /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n",
      "/sys/fs/cgroup/inner",
    ],
    ["a mount point with a space (octal-escaped)", "0::/x\n25 1 0:22 / /mnt/cg\\040two rw - cgroup2 none rw\n", "/mnt/cg two/x"],
    ["no cgroup2 line (cgroup v1 only)", "4:memory:/x\n35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n", undefined],
    ["cgroup2 not mounted here", "0::/x\n31 23 0:28 / /sys/fs/cgroup rw - tmpfs tmpfs rw\n", undefined],
    ["a path outside what the mount shows", "0::/elsewhere\n25 1 0:22 /docker/abc /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n", undefined],
    ["a cgroup that was removed", "0::/gone (deleted)\n25 1 0:22 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n", undefined],
  ])("%s", (_, text, expected) => {
    expect(cgroupDir(text)).toBe(expected);
  });
});
