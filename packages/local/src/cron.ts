/**
 * EventBridge cron (`min hour day-of-month month day-of-week year`, UTC) → the five-field form the
 * local scheduler (croner) reads, so one manifest expression fires at the same times in both.
 *
 * The differences handled: EventBridge numbers weekdays 1-7 from Sunday where classic cron uses
 * 0-6; `?` ("no specific value") becomes `*`; `start/step` becomes `start-max/step`; the year field
 * is dropped, and a year other than `*` is refused rather than silently ignored.
 */
export function toLocalCron(expression: string): string {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 6) {
    throw new Error(
      `"${expression}" is not an EventBridge cron expression (six fields: min hour dom month dow year)`,
    );
  }
  const [minute, hour, dayOfMonth, month, dayOfWeek, year] = fields as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  if (year !== "*") throw new Error(`"${expression}": the local scheduler supports only "*" as the year`);
  if (dayOfMonth === "?" && dayOfWeek === "?")
    throw new Error(`"${expression}": day-of-month and day-of-week cannot both be "?"`);
  const local = (field: string) => (field === "?" ? "*" : field);
  return [
    expandSteps(minute, 59),
    expandSteps(hour, 23),
    expandSteps(local(dayOfMonth), 31),
    expandSteps(month, 12),
    expandSteps(shiftWeekdays(local(dayOfWeek)), 6),
  ].join(" ");
}

/**
 * EventBridge reads `0/15` as "from 0, every 15"; croner only accepts a range before a step, so
 * each `start/step` item becomes `start-max/step`.
 */
function expandSteps(field: string, max: number): string {
  return field
    .split(",")
    .map((item) =>
      item.replace(/^(\d+)\/(\d+)$/, (_, start: string, step: string) => `${start}-${max}/${step}`),
    )
    .join(",");
}

/** Shifts numeric weekdays down by one (EventBridge 1=SUN → cron 0=SUN), leaving names, `L` and `#n` intact. */
function shiftWeekdays(field: string): string {
  if (field === "*") return field;
  return field.replace(
    /(^|[,\-/])(\d)(?=$|[,\-#L/])/g,
    (whole, separator: string, digit: string, offset: number, input: string) => {
      // The step of a range ("*/2", "1-7/2") is a count, not a weekday.
      if (separator === "/") return whole;
      const value = Number(digit);
      if (value < 1 || value > 7)
        throw new Error(`day-of-week ${value} is outside EventBridge's 1-7 in "${input}" at ${offset}`);
      return `${separator}${value - 1}`;
    },
  );
}
