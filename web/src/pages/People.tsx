// Placeholder until the page is built.
import { PageTitle } from '../ui';

export default function People() {
  return <PageTitle>People</PageTitle>;
}
