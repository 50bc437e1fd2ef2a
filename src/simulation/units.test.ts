import { describe, expect, it } from "vitest";
import { TIME_UNITS, convertTime, parseTimeUnit, periodLength, unitFactor } from "./units.js";

describe("time units", () => {
  it("lists the four wire units from the shortest", () => {
    expect(TIME_UNITS).toEqual(["seconds", "minutes", "hours", "days"]);
  });

  it("parses a unit in any case and refuses anything else", () => {
    expect(parseTimeUnit("minutes")).toBe("minutes");
    expect(parseTimeUnit("HOURS")).toBe("hours");
    expect(parseTimeUnit("Days")).toBe("days");
    expect(parseTimeUnit("weeks")).toBeUndefined();
    expect(parseTimeUnit("")).toBeUndefined();
    expect(parseTimeUnit(60)).toBeUndefined();
    expect(parseTimeUnit(undefined)).toBeUndefined();
  });

  it("gives the factor from one unit to another", () => {
    expect(unitFactor("minutes", "seconds")).toBe(60);
    expect(unitFactor("hours", "minutes")).toBe(60);
    expect(unitFactor("days", "hours")).toBe(24);
    expect(unitFactor("seconds", "minutes")).toBeCloseTo(1 / 60, 15);
    expect(unitFactor("days", "days")).toBe(1);
  });

  it("converts round values exactly, both ways", () => {
    expect(convertTime(60, "minutes", "hours")).toBe(1);
    expect(convertTime(1, "hours", "minutes")).toBe(60);
    expect(convertTime(1.5, "days", "hours")).toBe(36);
    expect(convertTime(90, "seconds", "minutes")).toBe(1.5);
    expect(convertTime(420, "minutes", "hours")).toBe(7);
  });

  it("returns a value in its own unit untouched, even where value × seconds would overflow", () => {
    expect(convertTime(Number.MAX_VALUE, "days", "days")).toBe(Number.MAX_VALUE);
    expect(convertTime(0.1, "minutes", "minutes")).toBe(0.1);
  });

  it("gives the length of an hour, a day and a 30-day month in the model's unit", () => {
    expect(periodLength("hourly", "minutes")).toBe(60);
    expect(periodLength("hourly", "seconds")).toBe(3600);
    expect(periodLength("daily", "hours")).toBe(24);
    expect(periodLength("daily", "minutes")).toBe(1440);
    expect(periodLength("monthly", "days")).toBe(30);
    expect(periodLength("monthly", "hours")).toBe(720);
  });
});
