'use strict';

// Runs the benchmark's Node processes inside a memory cgroup the size of the ECS task, as on Fargate.
// Node sizes V8's heap from the cgroup limit (process.constrainedMemory()): in a 1 GiB task the heap
// limit is about 0.5 GiB and the old generation grows by small factors between full collections; on a
// machine with 24 GiB and no limit it may grow 4x, which is not what the service does when deployed.
// Needs root and a cgroup v1 or v2 memory controller; without them the processes run unlimited and
// the script says so.
const fs = require('node:fs');
const path = require('node:path');
const YAML = require('yaml');

// The task memory of the stack defaults (the staging shape), from Pulumi.yaml.
function defaultTaskMemoryMib() {
  const project = YAML.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'Pulumi.yaml'), 'utf8'));
  return project.config.memory.default;
}

function tryCreate(dir, limitFile, bytes) {
  try {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, limitFile), String(bytes));
    return path.join(dir, 'cgroup.procs');
  } catch {
    try {
      fs.rmdirSync(dir);
    } catch {}
    return null;
  }
}

function unlimited(describe) {
  return { describe, wrap: (cmd, args) => [cmd, args], remove: () => {} };
}

// Returns { wrap(cmd, args) -> [cmd, args], describe, remove() }; mib 0 means no limit.
function memoryLimit(mib) {
  if (!mib) return unlimited("no memory cgroup (BENCH_TASK_MEMORY_MIB=0): V8 sizes its heap for this machine's memory");
  const bytes = mib * 1024 * 1024;
  const name = `users-bench-${process.pid}`;
  const candidates = [
    [path.join('/sys/fs/cgroup/memory', name), 'memory.limit_in_bytes'], // cgroup v1
    [path.join('/sys/fs/cgroup', name), 'memory.max'], // cgroup v2
  ];
  for (const [dir, limitFile] of candidates) {
    const procs = tryCreate(dir, limitFile, bytes);
    if (procs) {
      return {
        describe: `each Node process in a ${mib} MiB memory cgroup (the task size)`,
        // The shell joins the cgroup, then execs the command: same pid, limit inherited.
        wrap: (cmd, args) => ['sh', ['-c', `echo $$ > ${procs} && exec "$0" "$@"`, cmd, ...args]],
        remove: () => {
          try {
            fs.rmdirSync(dir);
          } catch {}
        },
      };
    }
  }
  return unlimited(`no memory cgroup (needs root): V8 sizes its heap for this machine's memory, not a ${mib} MiB task`);
}

module.exports = { memoryLimit, defaultTaskMemoryMib };
