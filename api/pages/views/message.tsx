/** A page that only says what happened: not found, not allowed, an error (with the problem's detail). */
export function Message({ title, detail }: { title: string; detail: string | null }) {
  return (
    <>
      <h1>{title}</h1>
      {detail !== null && <p class="card">{detail}</p>}
    </>
  );
}
