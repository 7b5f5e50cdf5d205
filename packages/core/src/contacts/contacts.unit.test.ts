import { describe, expect, it } from "vitest";
import * as z from "zod/mini";
import { MAX_TRANSACTION_ITEMS } from "../storage/transaction";
import { packContacts } from "./import";
import { CreateContactsInputSchema, LinkedinHandleSchema, UpdateContactInputSchema } from "./schemas";
import { planContactWrites, type StoredContact } from "./store";

function contact(id: string, emailCount: number, emails?: string[]): StoredContact {
  return {
    id,
    orgId: "org",
    collectionId: "col",
    name: `Contact ${id}`,
    emails: emails ?? Array.from({ length: emailCount }, (_, index) => `${id}.${index}@example.com`),
    linkedinHandle: null,
    createdAt: "2031-01-01T00:00:00.000Z",
    updatedAt: "2031-01-01T00:00:00.000Z",
    version: 1,
  };
}

describe("bulk import packing", () => {
  it("keeps every transaction within 100 items (the outbox item included), each contact whole", () => {
    // prepare: sizes from 1 to 10 emails, 3 to 21 items per contact
    const contacts = Array.from({ length: 200 }, (_, index) => contact(`c${index}`, (index % 10) + 1));

    // act
    const groups = packContacts(contacts);

    // assess
    expect(groups.flat()).toEqual(contacts);
    for (const group of groups) {
      const items = group.flatMap((member) => planContactWrites({ after: member })).length;
      expect(items + 1).toBeLessThanOrEqual(MAX_TRANSACTION_ITEMS);
    }
    // Packed, not one contact per transaction.
    expect(groups.length).toBeLessThan(contacts.length / 3);
  });
});

describe("a contact's writes", () => {
  it("a PATCH replacing 10 emails with 10 others fits one transaction: the contact, 10 claims put, 10 freed, 20 lookup updates", () => {
    // prepare
    const before = contact("x", 10);
    const after = {
      ...contact(
        "x",
        10,
        Array.from({ length: 10 }, (_, index) => `new.${index}@example.com`),
      ),
      version: 2,
    };

    // act
    const items = planContactWrites({ before, after });

    // assess
    expect(items).toHaveLength(41);
    expect(items.length + 1).toBeLessThanOrEqual(MAX_TRANSACTION_ITEMS);
  });
});

describe("contact schemas", () => {
  it("a LinkedIn profile URL is reduced to its handle; anything else that is not a handle is refused", () => {
    // act
    const parsed = [
      "jane-doe",
      " https://www.linkedin.com/in/jane-doe/ ",
      "linkedin.com/in/J%C3%B6rg_M",
      "http://de.linkedin.com/in/joerg?trk=x",
    ].map((value) => z.parse(LinkedinHandleSchema, value));
    const refused = ["", "jane doe", "https://example.com/in/jane", "a/b", "x".repeat(101)].map(
      (value) => z.safeParse(LinkedinHandleSchema, value).success,
    );

    // assess
    expect(parsed).toEqual(["jane-doe", "jane-doe", "Jörg_M", "joerg"]);
    expect(refused).toEqual([false, false, false, false, false]);
  });

  it("one contact needs name and emails; a bulk import takes items alone", () => {
    // act
    const empty = z.safeParse(CreateContactsInputSchema, {});
    const mixed = z.safeParse(CreateContactsInputSchema, {
      name: "X",
      items: [{ name: "Y", emails: ["y@example.com"] }],
    });
    const single = z.parse(CreateContactsInputSchema, {
      name: "X",
      emails: [" X@Example.com", "x@example.com"],
    });
    const none = z.safeParse(CreateContactsInputSchema, { items: [] });

    // assess
    expect(empty.error?.issues.map((issue) => issue.path.join("."))).toEqual(["name", "emails"]);
    expect(mixed.error?.issues.map((issue) => issue.path.join("."))).toEqual(["name"]);
    expect(single).toEqual({ name: "X", emails: ["x@example.com"] });
    expect(none.success).toBe(false);
  });

  it("a PATCH takes any subset of name, emails and linkedinHandle (null clears it), and nothing else", () => {
    // act
    const cleared = z.parse(UpdateContactInputSchema, { linkedinHandle: null });
    const unknown = z.safeParse(UpdateContactInputSchema, { collectionId: "other" });
    const noEmails = z.safeParse(UpdateContactInputSchema, { emails: [] });

    // assess
    expect(cleared).toEqual({ linkedinHandle: null });
    expect(unknown.success).toBe(false);
    expect(noEmails.success).toBe(false);
  });
});
