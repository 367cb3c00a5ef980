/** A table's header row: one cell per heading, an empty heading for a column of links or actions. */
export function TableHead({ headings }: { headings: readonly string[] }) {
  return (
    <thead>
      <tr>
        {headings.map((heading) => (
          <th>{heading}</th>
        ))}
      </tr>
    </thead>
  );
}
