/** Which task of an execution this process is (Cloud Run: CLOUD_RUN_TASK_INDEX/COUNT/ATTEMPT). */
export interface TaskIdentity {
  /** 0-based. */
  index: number;
  /** Tasks in the execution; 1 = a plain run. */
  count: number;
  /** The retry number of this task (0 for the first attempt). */
  attempt: number;
  /**
   * Names what this attempt stages (objects, hence load job ids): `a<attempt>` on Cloud Run, where a retry has
   * a new attempt number; with a random suffix elsewhere, so a run re-started by hand never attaches to the
   * load jobs of an earlier process.
   */
  tag: string;
}

export function singleTask(tag = `a0-${Math.random().toString(36).slice(2, 8)}`): TaskIdentity {
  return { index: 0, count: 1, attempt: 0, tag };
}

export function isFanOut(task: TaskIdentity): boolean {
  return task.count > 1;
}
