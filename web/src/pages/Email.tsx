// Placeholder until the page is built.
import { PageTitle } from '../ui';

export default function Email() {
  return <PageTitle>Email</PageTitle>;
}
