/** Short confirmations and hints, announced politely; always in the page so changes are read. */
export function StatusRegion({ message }: { message: string | null }) {
  return (
    <div role="status" class={message ? 'toast toast--shown' : 'toast'} data-testid="status">
      {message}
    </div>
  );
}
