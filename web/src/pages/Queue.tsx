// Placeholder until the page is built.
import { PageTitle } from '../ui';

export default function Queue() {
  return <PageTitle>Queue</PageTitle>;
}
