import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Contains, GreaterThan, HasLen, Is, IsNull, LessThan, Matches, Not, OneOf, firstFailing } from "../../src/attest/matchers.js";

describe("matchers", () => {
  it("Is compares exactly and describes the value", () => {
    assert.equal(Is(200).check(200), true);
    assert.equal(Is(200).check(404), false);
    assert.equal(Is(200).expected(), "200");
    assert.equal(Is("Dodoma").expected(), '"Dodoma"');
  });

  it("Is(true) and Is(3) match a JSON field's text, and a string never matches a number", () => {
    const yes = Is(true) as unknown as { check(v: unknown): boolean };
    assert.equal(yes.check("true"), true);
    assert.equal(yes.check("false"), false);
    assert.equal((Is(3) as unknown as { check(v: unknown): boolean }).check("3"), true);
    assert.equal((Is("3") as unknown as { check(v: unknown): boolean }).check(3), false);
  });

  it("Matches shows escapes in the pattern", () => {
    const m = Matches(/^key not found\n?$/);
    assert.equal(m.check("key not found"), true);
    assert.equal(m.check("key not found\n"), true);
    assert.equal(m.check("not found"), false);
    assert.equal(m.expected(), "matching pattern /^key not found\\n?$/");
  });

  it("Contains, OneOf, GreaterThan, LessThan", () => {
    assert.equal(Contains("text/plain").check("text/plain; charset=utf-8"), true);
    assert.equal(Contains("text/plain").check("application/json"), false);
    const one = OneOf("a", "b", "c", "d", "e");
    assert.equal(one.check("e"), true);
    assert.equal(one.check("f"), false);
    assert.equal(one.expected(), 'one of ["a", "b", "c", ... and 2 more]');
    assert.equal(GreaterThan(3).check("4"), true);
    assert.equal(GreaterThan(3).check(3), false);
    assert.equal(LessThan(3).check(2), true);
  });

  it("IsNull, HasLen and Not", () => {
    assert.equal(IsNull().check(null), true);
    assert.equal(IsNull().check(undefined), true);
    assert.equal(IsNull().check("n1"), false);
    assert.equal(HasLen(2).check(["a", "b"]), true);
    assert.equal(HasLen(2).check({ a: 1 }), false);
    assert.equal(HasLen(3).check("abc"), true);
    assert.equal(Not(Is(1)).check(2), true);
    assert.equal(Not(Is(1)).expected(), "not 1");
  });

  it("firstFailing returns the first matcher that rejects", () => {
    const a = Is(1);
    const b = Is(2);
    assert.equal(firstFailing(1, [a, b]), b);
    assert.equal(firstFailing(1, [a]), undefined);
  });
});
